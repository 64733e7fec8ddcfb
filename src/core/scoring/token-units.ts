/**
 * Token ids -> text units -> words, for the causal scorers (CTS, perplexity).
 *
 * A unit is one token, or the few byte-level tokens that together make one character (a byte BPE
 * splits "é" or an emoji into tokens that decode to U+FFFD on their own). Units are what the
 * selection keeps or drops, so the compressed text never holds half a character; on ASCII text a
 * unit is exactly one token, as in the reference.
 *
 * Unit text is decoded with a little left context (`decode(ctx ++ unit)` minus `decode(ctx)`), so
 * decoders that strip a leading space at the start of a sequence (SentencePiece/Metaspace) still
 * give each unit its own space, and joining all unit texts gives back `decode(ids)`.
 *
 * Words are whitespace-delimited runs of units: the display and `word_labels` granularity.
 */

export interface TextUnit {
  /** Token ids of the unit (usually one). */
  ids: number[];
  /** Decoded text of the unit, with its leading whitespace. */
  text: string;
}

/** Longest run of tokens merged into one unit while they decode to an incomplete character. */
const maxUnitTokens = 8;
/** Units of left context used when decoding a unit. */
const contextUnits = 2;
const replacement = '\uFFFD';

export function tokenUnits(ids: readonly number[], decode: (ids: number[]) => string): TextUnit[] {
  const units: TextUnit[] = [];
  const starts: number[] = [];
  let s = 0;
  while (s < ids.length) {
    const ctx = starts.length > contextUnits ? (starts[starts.length - contextUnits] as number) : 0;
    const prefix = ctx < s ? decode(ids.slice(ctx, s)) : '';
    let e = s + 1;
    let full = decode(ids.slice(ctx, e));
    while (
      e < ids.length &&
      e - s < maxUnitTokens &&
      (!full.startsWith(prefix) || full.endsWith(replacement))
    ) {
      e++;
      full = decode(ids.slice(ctx, e));
    }
    const text = full.startsWith(prefix) ? full.slice(prefix.length) : decode(ids.slice(s, e));
    starts.push(s);
    units.push({ ids: ids.slice(s, e), text });
    s = e;
  }
  return units;
}

/** Splits units into windows of at most `windowSize` tokens, never inside a unit. */
export function packWindows<T extends { ids: number[] }>(units: T[], windowSize: number): T[][] {
  const windows: T[][] = [];
  let current: T[] = [];
  let tokens = 0;
  for (const unit of units) {
    if (current.length > 0 && tokens + unit.ids.length > windowSize) {
      windows.push(current);
      current = [];
      tokens = 0;
    }
    current.push(unit);
    tokens += unit.ids.length;
  }
  if (current.length > 0) windows.push(current);
  return windows;
}

const leadingSpace = /^\s/;
const trailingSpace = /\s$/;

/** Groups units into whitespace-delimited words: `[first unit index, end index)` per word. */
export function wordSpans(units: readonly { text: string }[]): [number, number][] {
  const spans: [number, number][] = [];
  let start = 0;
  for (let i = 1; i <= units.length; i++) {
    const unit = units[i];
    const previous = units[i - 1] as { text: string };
    const boundary =
      unit === undefined || leadingSpace.test(unit.text) || trailingSpace.test(previous.text);
    if (boundary) {
      spans.push([start, i]);
      start = i;
    }
  }
  return spans;
}
