/**
 * LLMLingua-2's text plumbing around the model: force-token placeholders, 510-token chunking, model
 * input building and token -> word merging (microsoft/LLMLingua v0.2.2 `prompt_compressor.py`,
 * `__chunk_context`, `TokenClfDataset`, `__merge_token_to_word`, `utils.is_begin_of_new_word`).
 *
 * Each function mirrors one step of the reference, quirks included, so results match it; the two
 * quirks that are plainly bugs can be fixed with named options (see `LinguaOptions`).
 */
import { placeholder, type ScorerTokenizer, type TokenizerFamily } from './scorer-tokenizer.ts';

export const MAX_SEQ_LEN = 512;
/** Python's `string.punctuation`; the reference tests `token in string.punctuation` (a substring test). */
const PY_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
/** Python's `re.search(r"\d", token)` on str: any Unicode decimal digit. */
const HAS_DIGIT = /\p{Nd}/u;

/** Force tokens the tokenizer splits into several pieces, mapped to their `[NEWi]` placeholder. */
export type TokenMap = [original: string, placeholder: string][];

export function buildTokenMap(tokenizer: ScorerTokenizer, forceTokens: string[]): TokenMap {
  const map: TokenMap = [];
  forceTokens.forEach((token, i) => {
    if (tokenizer.tokenize(token).length !== 1) map.push([token, placeholder(i)]);
  });
  return map;
}

export function applyTokenMap(text: string, map: TokenMap): string {
  for (const [original, ph] of map) text = text.replaceAll(original, ph);
  return text;
}

export function revertTokenMap(text: string, map: TokenMap): string {
  for (const [original, ph] of map) text = text.replaceAll(ph, original);
  return text;
}

const CJK_CHAR = '\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff';
// BERT's punctuation: Unicode P* and every ASCII symbol ($, +, <, =, ...), not other symbols (😀).
const BERT_PUNCT = '\\p{P}!-/:-@\\[-`{-~';
/**
 * BERT's BasicTokenizer words: a CJK character, a run of other non-punctuation, or one punctuation
 * mark (and our `[NEWi]` force-token placeholders, added tokens of their own).
 */
const BERT_WORD = new RegExp(
  `\\[NEW\\d+\\]|[${CJK_CHAR}]|[^\\s${BERT_PUNCT}${CJK_CHAR}]+|[${BERT_PUNCT}]`,
  'gu',
);

/**
 * `keepUnknown`: WordPiece turns a word it cannot spell (a character outside the vocabulary) into
 * one `[UNK]`, and the reference then writes "[UNK]" or nothing in its place ("接着" -> "接").
 * This puts each unknown word's own characters back, aligning the tokens with BERT's word split
 * of `text` (a word starts at every token without `##`). Where the split does not line up (a
 * normaliser changed the text) the tokens are returned as they were.
 */
export function restoreUnknown(
  tokenizer: ScorerTokenizer,
  tokens: string[],
  text: string,
): string[] {
  const unk = tokenizer.specials.unk;
  if (tokenizer.family !== 'wordpiece' || !tokens.includes(unk)) return tokens;
  const words = text.match(BERT_WORD) ?? [];
  const starts = tokens.filter((t) => !t.startsWith('##')).length;
  if (starts !== words.length) return tokens;
  let w = -1;
  return tokens.map((t) => {
    if (!t.startsWith('##')) w++;
    return t === unk ? words[w]! : t;
  });
}

/**
 * `__chunk_context`: windows of at most 510 tokens; a window that would overrun is cut back to the
 * last chunk-end token inside it (so it may hold 511 tokens); each chunk becomes text again.
 */
export function chunkContext(
  tokenizer: ScorerTokenizer,
  text: string,
  chunkEndTokens: Set<string>,
  keepUnknown = false,
): string[] {
  const maxLen = MAX_SEQ_LEN - 2;
  const raw = tokenizer.tokenize(text);
  const tokens = keepUnknown ? restoreUnknown(tokenizer, raw, text) : raw;
  const n = tokens.length;
  const chunks: string[] = [];
  let st = 0;
  while (st < n) {
    if (st + maxLen > n - 1) {
      chunks.push(tokenizer.tokensToString(tokens.slice(st, n)));
      break;
    }
    let ed = st + maxLen;
    for (let j = 0; j < ed - st; j++) {
      if (chunkEndTokens.has(tokens[ed - j]!)) {
        ed -= j;
        break;
      }
    }
    chunks.push(tokenizer.tokensToString(tokens.slice(st, ed + 1)));
    st = ed + 1;
  }
  return chunks;
}

/** One model input row: token ids and attention mask, at most 512 long, unpadded. */
export interface ModelInput {
  ids: Int32Array;
  mask: Uint8Array;
}

/**
 * `TokenClfDataset.__getitem__`. The reference builds it with mBERT's defaults whatever the model,
 * so an XLM-R model gets the string `[CLS]`/`[SEP]` -> `<unk>` (id 3) at both ends; `realBoundaries`
 * uses the tokenizer's own cls/sep tokens instead.
 */
export function buildModelInput(
  tokenizer: ScorerTokenizer,
  chunk: string,
  realBoundaries: boolean,
): ModelInput {
  const { cls, sep, pad } = realBoundaries
    ? tokenizer.specials
    : { cls: '[CLS]', sep: '[SEP]', pad: '[PAD]' };
  const tokens = [cls, ...tokenizer.tokenize(chunk), sep].slice(0, MAX_SEQ_LEN);
  return {
    ids: Int32Array.from(tokens, (t) => tokenizer.tokenToId(t)),
    mask: Uint8Array.from(tokens, (t) => (t !== pad ? 1 : 0)),
  };
}

/** A word as merged from the model's tokens, with its per-token keep-probabilities. */
export interface MergedWord {
  /** The word as the reference keeps it (XLM-R: with its leading `▁`; placeholders mapped back). */
  word: string;
  tokenProbs: number[];
  forced: boolean;
}

export interface MergeOptions {
  forceTokens: string[];
  tokenMap: TokenMap;
  forceReserveDigit: boolean;
  /** The row's chunk text: unknown words get their own characters back (see `restoreUnknown`). */
  keepUnknownFrom?: string;
}

function pureToken(token: string, family: TokenizerFamily): string {
  // Python's lstrip("##") / lstrip("▁") strip every leading '#' / '▁'.
  return family === 'wordpiece' ? token.replace(/^#+/, '') : token.replace(/^▁+/, '');
}

function beginsNewWord(
  token: string,
  family: TokenizerFamily,
  force: Set<string>,
  placeholders: Set<string>,
): boolean {
  if (family === 'wordpiece') {
    const stripped = token.replace(/^#+/, '');
    if (force.has(stripped) || placeholders.has(stripped)) return true;
    return !token.startsWith('##');
  }
  if (PY_PUNCTUATION.includes(token) || force.has(token) || placeholders.has(token)) return true;
  return token.startsWith('▁');
}

/**
 * `__merge_token_to_word`: the active tokens (mask = 1) of one model row, special tokens skipped,
 * merged into words; force tokens (and, with `forceReserveDigit`, tokens holding a digit) get 1.0.
 */
export function mergeTokensToWords(
  tokenizer: ScorerTokenizer,
  input: ModelInput,
  probs: ArrayLike<number>,
  options: MergeOptions,
): MergedWord[] {
  const force = new Set(options.forceTokens);
  const placeholders = new Set(options.tokenMap.map(([, ph]) => ph));
  const words: MergedWord[] = [];
  // ids -> tokens again, as the reference does: unknown pieces come back as the unk token.
  const unk = tokenizer.specials.unk;
  const rowTokens: string[] = [];
  const at: number[] = [];
  for (let i = 0; i < input.ids.length; i++) {
    if (!input.mask[i]) continue;
    const token = tokenizer.idToToken(input.ids[i]!);
    if (tokenizer.specials.all.has(token) && token !== unk) continue;
    rowTokens.push(token);
    at.push(i);
  }
  const tokens =
    options.keepUnknownFrom === undefined
      ? rowTokens
      : restoreUnknown(tokenizer, rowTokens, options.keepUnknownFrom);
  for (const [k, token] of tokens.entries()) {
    const i = at[k]!;
    if (tokenizer.specials.all.has(token)) continue;
    let prob = probs[i]!;
    const pure = pureToken(token, tokenizer.family);
    const digit = options.forceReserveDigit && HAS_DIGIT.test(token);
    // The reference would raise on a continuation with no word before it; start a word instead.
    if (beginsNewWord(token, tokenizer.family, force, placeholders) || words.length === 0) {
      const isForced = force.has(pure) || placeholders.has(pure);
      if (isForced) prob = 1.0;
      words.push({
        word: revertTokenMap(token, options.tokenMap),
        tokenProbs: [digit ? 1.0 : prob],
        forced: isForced || digit,
      });
    } else {
      const last = words[words.length - 1]!;
      last.word += pure;
      last.tokenProbs.push(digit ? 1.0 : prob);
      last.forced ||= digit;
    }
  }
  return words;
}

const HAN = /^\p{Script=Han}$/u;
let segmenter: Intl.Segmenter | undefined;

/**
 * `chineseWords`: BERT-style tokenizers make every Chinese character a word of its own, so γ would
 * drop single characters out of words ("所以" -> "以"). This groups each run of one-character Han
 * words into the words of Intl.Segmenter (ICU's dictionary-based word breaker, in every browser
 * and in Node), concatenating their token probabilities, so a word is kept or dropped whole.
 * Forced characters stay words of their own so they are still always kept.
 */
export function groupChineseWords(words: MergedWord[]): MergedWord[] {
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  const out: MergedWord[] = [];
  for (let i = 0; i < words.length;) {
    if (!HAN.test(words[i]!.word)) {
      out.push(words[i++]!);
      continue;
    }
    let j = i;
    while (j < words.length && HAN.test(words[j]!.word)) j++;
    const run = words.slice(i, j);
    let k = 0;
    for (const { segment } of segmenter.segment(run.map((w) => w.word).join(''))) {
      const part = run.slice(k, k + [...segment].length);
      k += part.length;
      if (part.length === 1 || part.some((w) => w.forced)) for (const w of part) out.push(w);
      else
        out.push({
          word: part.map((w) => w.word).join(''),
          tokenProbs: part.flatMap((w) => w.tokenProbs),
          forced: false,
        });
    }
    i = j;
  }
  return out;
}

export type TokenToWord = 'mean' | 'first';

export function wordProbability(tokenProbs: number[], mode: TokenToWord): number {
  if (mode === 'first') return tokenProbs[0]!;
  let sum = 0;
  for (const p of tokenProbs) sum += p;
  return sum / tokenProbs.length;
}

/** The reference's `split_string_to_words`, used for word labels when nothing is dropped. */
export function splitStringToWords(text: string): string[] {
  return text.match(/[\p{L}\p{N}\p{M}_]+|[<>=/!@#$%^&*()?":{}|\\`~;_+-]/gu) ?? [];
}
