/**
 * γ, the TokenSkip compression ratio: the share of CoT tokens the model is asked to keep.
 *
 * Valid γ is a finite number in (0, 1], at least MIN_GAMMA (smaller keeps no token). γ = 1 means "no compression" (the bare question, as in
 * training); γ < 1 is written into the prompt the way the reference's Python writes a float
 * (`str(0.6)` -> "0.6", `str(0.00005)` -> "5e-05"), so prompts match training byte for byte.
 *
 *   parseGamma('0.6')          // 0.6
 *   formatGamma(0.6)           // "0.6"
 *   parseGammaList('1,0.6')    // [1, 0.6]
 */
import { TokenSkipError } from '../errors.ts';

/**
 * The smallest γ the compressors can work with. LLMLingua-2 thresholds at the percentile
 * `trunc(100 · (1 − γ) + 1)`, which must stay ≤ 100: below about 5.6e-17, 1 − γ rounds to 1 in
 * double precision and the percentile becomes 101 (numpy and our port refuse it; no token could
 * be kept). 1e-15 leaves a margin and is far below any γ that keeps a token of a 1,000,000-character
 * CoT; tests/prompts/gamma-bounds.test.ts checks the threshold at this bound.
 */
export const MIN_GAMMA = 1e-15;

/**
 * Where a γ came from, for messages: a flag or field as typed (`--rate`, `gammas[1]`), or a page's
 * URL parameter (`{ urlParam: 'rate' }`, shown as "rate in the URL").
 */
export type GammaField = string | { urlParam: string };

function gammaError(
  kind: 'gammaRange' | 'gammaTooSmall' | 'gammaNotNumber',
  field: GammaField,
  got: string,
): TokenSkipError {
  const params = {
    field: typeof field === 'string' ? field : field.urlParam,
    got,
    min: String(MIN_GAMMA),
  };
  return new TokenSkipError(
    'INVALID_ARGUMENT',
    typeof field === 'string'
      ? { id: kind, params }
      : {
          id:
            kind === 'gammaRange'
              ? 'gammaRangeUrl'
              : kind === 'gammaTooSmall'
                ? 'gammaTooSmallUrl'
                : 'gammaNotNumberUrl',
          params,
        },
  );
}

/** Throws INVALID_ARGUMENT unless `value` is a number in [MIN_GAMMA, 1]; `field` names the input. */
export function validateGamma(value: unknown, field: GammaField = 'gamma'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 1) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
    throw gammaError('gammaRange', field, shown);
  }
  if (value < MIN_GAMMA) throw gammaError('gammaTooSmall', field, String(value));
  return value;
}

/**
 * γ from a URL parameter: undefined when absent, the number when valid, or the error to show
 * (the pages never keep an invalid γ, so no selection runs on one). `param` is the parameter's
 * name (`rate`); errors call it "rate in the URL".
 */
export function gammaFromUrl(
  text: string | null,
  param = 'γ',
): { gamma?: number; error?: TokenSkipError } {
  if (text === null || text.trim() === '') return {};
  try {
    return { gamma: parseGamma(text, { urlParam: param }) };
  } catch (error) {
    return { error: error as TokenSkipError };
  }
}

/** Parses γ typed by a user or read from a URL/CLI flag. */
export function parseGamma(text: string, field: GammaField = 'gamma'): number {
  const trimmed = text.trim();
  // Number('') is 0 and Number('0x1') is 1: accept plain decimals only.
  if (!/^(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed)) {
    throw gammaError('gammaNotNumber', field, JSON.stringify(text));
  }
  return validateGamma(Number(trimmed), field);
}

/**
 * γ from anywhere: a number (JSON, the UI) is validated, a string (a flag, a URL, a JSON string
 * field) goes through `parseGamma`. The one γ check of the project: the CLI, the compressor, the
 * scorers, the trainer and the report all use it, so "0x1", "" or "1e" are refused everywhere.
 */
export function toGamma(value: unknown, field = 'gamma'): number {
  return typeof value === 'string' ? parseGamma(value, field) : validateGamma(value, field);
}

/** Parses a comma-separated γ list ("1,0.8,0.6"); duplicates are an error, order is kept. */
export function parseGammaList(text: string, field = 'gammas'): number[] {
  const parts = text.split(',').filter((p) => p.trim() !== '');
  if (parts.length === 0) {
    throw new TokenSkipError('INVALID_ARGUMENT', { id: 'gammaListEmpty', params: { field } });
  }
  const gammas = parts.map((p, i) => parseGamma(p, `${field}[${i}]`));
  const dup = gammas.find((g, i) => gammas.indexOf(g) !== i);
  if (dup !== undefined) {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'gammaListDuplicate',
      params: { field, gamma: String(dup) },
    });
  }
  return gammas;
}

/**
 * Formats γ like Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4
 * with a sign and at least two exponent digits. JS's `String()` agrees with Python above 1e-4
 * (it switches to exponents only below 1e-6), so only the small range needs care.
 */
export function formatGamma(gamma: number): string {
  validateGamma(gamma);
  if (gamma === 1) return '1.0';
  if (gamma >= 1e-4) return String(gamma);
  const [mantissa = '', exponent = '0'] = gamma.toExponential().split('e');
  const exp = Number(exponent);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/**
 * γ in a table cell: at least one decimal (1 -> "1.0", 0.5 -> "0.5") and as many as it needs
 * (0.95 -> "0.95", never "0.9" beside the real 0.9), rounded to 6 significant digits so float
 * noise (0.30000000000000004) does not show. The report, the mini table and the pages share it.
 */
export function gammaCell(gamma: number): string {
  if (!Number.isFinite(gamma)) return String(gamma);
  const short = String(Number(gamma.toPrecision(6)));
  return /[.e]/.test(short) ? short : `${short}.0`;
}
