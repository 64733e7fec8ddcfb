/**
 * The LLMLingua-2 scorer's tokenizer: a Hugging Face `tokenizer.json` (through
 * @huggingface/tokenizers) plus what LLMLingua-2 adds at load time.
 *
 * LLMLingua-2 registers 100 special tokens `[NEW0]`..`[NEW99]` after the base vocabulary (the
 * released models carry 100 extra embedding rows for them); multi-piece force tokens are replaced by
 * these placeholders before tokenizing. We add them to the tokenizer's `added_tokens` the same way,
 * so the real hub tokenizers and the fixtures behave alike. Some community exports (atjsh's
 * tinybert / mobilebert / XLM-R) ship a tokenizer.json that already holds `[NEWi]`: those are kept
 * with their ids and only missing ones are added, as `add_special_tokens` does in Python.
 */
import { TokenSkipError } from '../errors.ts';
import { createTokenizer } from '../tokenizer.ts';

export type TokenizerFamily = 'xlmr' | 'wordpiece';

export const PLACEHOLDER_COUNT = 100;
export const placeholder = (i: number): string => `[NEW${i}]`;

/** The special tokens LLMLingua-2 skips when merging tokens into words. */
export interface SpecialTokens {
  cls: string;
  sep: string;
  pad: string;
  unk: string;
  /** `special_tokens_map` values other than additional special tokens. */
  all: Set<string>;
}

/**
 * What rebuilds text from kept tokens (`convert_tokens_to_string`). Selection needs only this, so
 * it runs wherever a `TokenDecoderSpec` travels (the page re-selects at any γ without the worker).
 */
export interface TokenDecoder {
  tokensToString(tokens: string[]): string;
}

/** The `decoder` section of tokenizer.json and its added tokens: a few kilobytes, cloneable. */
export interface TokenDecoderSpec {
  decoder: Record<string, unknown>;
  addedTokens: unknown[];
}

export interface ScorerTokenizer extends TokenDecoder {
  family: TokenizerFamily;
  /** Enough to rebuild `tokensToString` anywhere (see `createTokenDecoder`). */
  decoderSpec: TokenDecoderSpec;
  specials: SpecialTokens;
  /** Vocabulary size including the placeholders. */
  vocabSize: number;
  tokenize(text: string): string[];
  /** Unknown tokens map to the unk id, as `convert_tokens_to_ids` does. */
  tokenToId(token: string): number;
  idToToken(id: number): string;
}

type TokenizerJson = { added_tokens?: unknown[]; model?: { type?: string } } & Record<
  string,
  unknown
>;
type TokenizerConfig = Record<string, unknown>;

function tokenString(config: TokenizerConfig, key: string): string | undefined {
  const value = config[key];
  if (typeof value === 'string') return value;
  // Some configs store AddedToken objects: {content: "<s>", ...}.
  if (
    value &&
    typeof value === 'object' &&
    typeof (value as { content?: unknown }).content === 'string'
  ) {
    return (value as { content: string }).content;
  }
  return undefined;
}

/** The family from `config.json`'s model_type (or the tokenizer model type as a fallback). */
export function detectFamily(
  modelType: string | undefined,
  tokenizerJson: TokenizerJson,
): TokenizerFamily {
  if (modelType === 'xlm-roberta' || tokenizerJson.model?.type === 'Unigram') return 'xlmr';
  if (modelType === 'bert' || tokenizerJson.model?.type === 'WordPiece') return 'wordpiece';
  throw new TokenSkipError('MODEL_LOAD_FAILED', {
    id: 'scorerTypeUnsupported',
    params: { modelType: String(modelType), tokenizer: String(tokenizerJson.model?.type) },
  });
}

export function createScorerTokenizer(
  tokenizerJson: TokenizerJson,
  tokenizerConfig: TokenizerConfig,
  family: TokenizerFamily,
): ScorerTokenizer {
  // Measure the vocabulary on an unmodified tokenizer (Python's len(tokenizer)).
  const base = createTokenizer(tokenizerJson, tokenizerConfig, { id: 'whereScorerTokenizer' });
  const vocab = base.get_vocab(true);
  const baseVocab = vocab.size;
  // Idempotent: placeholders the tokenizer already has keep their ids; only missing ones are added.
  const missing = Array.from({ length: PLACEHOLDER_COUNT }, (_, i) => placeholder(i)).filter(
    (p) => !vocab.has(p),
  );
  const placeholders = missing.map((content, k) => ({
    id: baseVocab + k,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const json = {
    ...tokenizerJson,
    added_tokens: [...(tokenizerJson.added_tokens ?? []), ...placeholders],
  };
  const tokenizer = createTokenizer(json, tokenizerConfig, { id: 'whereScorerTokenizer' });
  const decoder = tokenizer.decoder;
  if (!decoder) {
    throw new TokenSkipError('MODEL_LOAD_FAILED', { id: 'scorerNoDecoder' });
  }

  const defaults =
    family === 'xlmr'
      ? { cls: '<s>', sep: '</s>', pad: '<pad>', unk: '<unk>' }
      : { cls: '[CLS]', sep: '[SEP]', pad: '[PAD]', unk: '[UNK]' };
  const specials: SpecialTokens = {
    cls: tokenString(tokenizerConfig, 'cls_token') ?? defaults.cls,
    sep: tokenString(tokenizerConfig, 'sep_token') ?? defaults.sep,
    pad: tokenString(tokenizerConfig, 'pad_token') ?? defaults.pad,
    unk: tokenString(tokenizerConfig, 'unk_token') ?? defaults.unk,
    all: new Set(),
  };
  for (const key of [
    'bos_token',
    'eos_token',
    'unk_token',
    'sep_token',
    'pad_token',
    'cls_token',
    'mask_token',
  ]) {
    const value = tokenString(tokenizerConfig, key);
    if (value) specials.all.add(value);
  }
  if (specials.all.size === 0)
    for (const v of [specials.cls, specials.sep, specials.pad, specials.unk]) specials.all.add(v);

  const unkId = tokenizer.token_to_id(specials.unk);
  if (unkId === undefined) {
    throw new TokenSkipError('MODEL_LOAD_FAILED', {
      id: 'scorerNoUnk',
      params: { token: specials.unk },
    });
  }

  return {
    family,
    decoderSpec: {
      decoder: tokenizerJson.decoder as Record<string, unknown>,
      addedTokens: json.added_tokens,
    },
    specials,
    vocabSize: baseVocab + missing.length,
    tokenize: (text) => tokenizer.tokenize(text),
    tokenToId: (token) => tokenizer.token_to_id(token) ?? unkId,
    idToToken: (id) => tokenizer.id_to_token(id) ?? specials.unk,
    tokensToString: (tokens) => (tokens.length === 0 ? '' : decoder.decode(tokens)),
  };
}

const decoders = new WeakMap<TokenDecoderSpec, TokenDecoder>();

/**
 * The tokenizer's decoder alone, from its spec: a `Tokenizer` with an empty word-level model and
 * the same decoder and added tokens (the library's `create_decoder` is not exported; its Tokenizer
 * constructor builds the decoder from `decoder` and hands it `added_tokens`, which is all a decoder
 * reads: node_modules/@huggingface/tokenizers/dist/tokenizers.mjs, `var Tokenizer = class`).
 * Memoized per spec, so re-selecting at every slider step builds it once.
 */
export function createTokenDecoder(spec: TokenDecoderSpec): TokenDecoder {
  const cached = decoders.get(spec);
  if (cached) return cached;
  const tokenizer = createTokenizer(
    {
      model: { type: 'WordLevel', vocab: {}, unk_token: '[UNK]' },
      decoder: spec.decoder,
      normalizer: null,
      pre_tokenizer: null,
      post_processor: null,
      added_tokens: spec.addedTokens,
    },
    {},
    { id: 'whereScorerDecoderSpec' },
  );
  const decoder = tokenizer.decoder;
  if (!decoder) {
    throw new TokenSkipError('MODEL_LOAD_FAILED', { id: 'scorerNoDecoder' });
  }
  const built: TokenDecoder = {
    tokensToString: (tokens) => (tokens.length === 0 ? '' : decoder.decode(tokens)),
  };
  decoders.set(spec, built);
  return built;
}
