/**
 * Character alignment between a text and the pieces different tokenizers cut it into.
 *
 * The mini scorer learns from word labels (the TinyArith annotator, or CTS units) moved onto WordPiece tokens, and
 * scorers are measured against TinyArith's word roles (whitespace words): three segmentations of
 * one text. Each is located in the text in order, ignoring whitespace, so a label can move from
 * one segmentation to another through the characters they cover.
 */

/** Start/end offsets in `text` of each piece, found in order; `undefined` for a piece not found. */
export function locatePieces(
  text: string,
  pieces: readonly string[],
): ([number, number] | undefined)[] {
  let cursor = 0;
  return pieces.map((piece) => {
    const needle = piece.trim();
    if (needle === '') return undefined;
    const at = text.indexOf(needle, cursor);
    // A piece must follow the previous one with only whitespace in between; otherwise it is not
    // where we are (an unknown token, a normalised character) and is left unaligned.
    if (at < 0 || text.slice(cursor, at).trim() !== '') return undefined;
    cursor = at + needle.length;
    return [at, cursor];
  });
}

/**
 * Per-character values from labelled pieces: `values[c]` is the value of the piece covering
 * character c, NaN where no piece does.
 */
export function characterValues(
  text: string,
  pieces: readonly string[],
  values: readonly number[],
): Float64Array {
  const out = new Float64Array(text.length).fill(Number.NaN);
  locatePieces(text, pieces).forEach((span, i) => {
    if (span) out.fill(values[i] as number, span[0], span[1]);
  });
  return out;
}

/** Mean of the defined character values inside each piece of another segmentation (NaN if none). */
export function pieceMeans(text: string, chars: Float64Array, pieces: readonly string[]): number[] {
  return locatePieces(text, pieces).map((span) => {
    if (!span) return Number.NaN;
    let sum = 0;
    let n = 0;
    for (let c = span[0]; c < span[1]; c++) {
      const v = chars[c] as number;
      if (!Number.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    return n ? sum / n : Number.NaN;
  });
}
