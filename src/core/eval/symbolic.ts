/**
 * The reference's `symbolic_equal`, on a real computer-algebra system (Compute Engine) instead of
 * sympy: parse both answers (LaTeX, else a plain expression; read as sympy's parser reads them,
 * see {@link asSympyReads}), then equal when
 *   1. simplify(a - b) is exactly 0, or
 *   2. both evaluate to real numbers within abs 1e-3 (Python `isclose`), or
 *   3. (stand-in for sympy's stronger `simplify`) both have free variables and agree at a fixed
 *      set of sample points, so `\frac{x^2-1}{x-1}` equals `x+1` as it does under sympy.
 *
 * Every comparison runs under a wall-clock limit (default {@link DEFAULT_SYMBOLIC_TIMEOUT_MS});
 * past it the answers count as not equal, the way the reference's timeout path does. The limit is
 * cooperative (Compute Engine checks it between steps), so answers whose exact big-number work
 * would not check it (huge factorials, binomials, exponents) are refused before any work, and
 * numerics use float64. Time spent here is accumulated in {@link symbolicStats} so benchmarks can
 * report its share.
 *
 *   symbolicEqual('\\frac{\\sqrt{3}}{3}', '\\frac{1}{\\sqrt{3}}') // true
 *   symbolicEqual('x^2+2x+1', '(x+1)^2')                           // true
 */
import { ComputeEngine } from '@cortex-js/compute-engine';
import { isClose } from './numeric.ts';
import { DEFAULT_SYMBOLIC_TIMEOUT_MS, installSymbolicEqual } from './symbolic-hook.ts';

export { DEFAULT_SYMBOLIC_TIMEOUT_MS };
/** Answers longer than this are not parsed at all: no real answer is that long. */
export const MAX_SYMBOLIC_CHARS = 1000;

/** Counters since the last {@link resetSymbolicStats}. */
export interface SymbolicStats {
  /** Comparisons that reached the CAS. */
  calls: number;
  /** Of those, how many were judged equal. */
  equal: number;
  /** Comparisons cut off by the time limit. */
  timeouts: number;
  /** Milliseconds spent in the CAS (engine start-up included). */
  totalMs: number;
  /** Internal errors the CAS reported (and survived) while reading odd answers. */
  engineErrors: number;
}

const stats: SymbolicStats = { calls: 0, equal: 0, timeouts: 0, totalMs: 0, engineErrors: 0 };

export function symbolicStats(): Readonly<SymbolicStats> {
  return { ...stats };
}

export function resetSymbolicStats(): void {
  stats.calls = 0;
  stats.equal = 0;
  stats.timeouts = 0;
  stats.totalMs = 0;
  stats.engineErrors = 0;
}

type Engine = InstanceType<typeof ComputeEngine>;
type Expr = NonNullable<ReturnType<Engine['parse']>>;

let engine: Engine | undefined;

/** One engine per process, created on first use (start-up costs ~100 ms). */
function getEngine(): Engine {
  if (!engine) {
    engine = new ComputeEngine();
    // Float64 numerics: answers are compared to 1e-3, and arbitrary-precision powers such as
    // 0.5^(10^9) never check the deadline.
    engine.precision = 'machine';
  }
  return engine;
}

/** Operators whose numeric value misleads: `\pm 2` is a measurement whose value is 0. */
const MISLEADING_OPERATORS = new Set(['Measurement', 'Error', 'Sequence']);
/** Exact big-integer work in these does not check the deadline: bound their arguments instead. */
const COMBINATORIAL_OPERATORS = new Set([
  'Factorial',
  'Factorial2',
  'Binomial',
  'Gamma',
  'Fibonacci',
]);
const MAX_COMBINATORIAL_ARG = 10_000;
const MAX_EXPONENT = 100_000;

function literal(json: unknown): number | null {
  if (typeof json === 'number') return json;
  if (typeof json === 'object' && json !== null && 'num' in json) {
    const value = Number((json as { num: unknown }).num);
    return Number.isNaN(value) ? null : value;
  }
  return null;
}

/**
 * Would this expression mislead the check, or run long in code that never looks at the deadline
 * (`\binom{10^6}{5\cdot 10^5}`, `7^{10^7}`)? Such answers are left to the string comparison.
 */
function isUnsafe(json: unknown): boolean {
  if (json === 'Nothing') return true;
  if (!Array.isArray(json)) return false;
  const [op, ...args] = json as unknown[];
  if (typeof op === 'string') {
    if (MISLEADING_OPERATORS.has(op)) return true;
    if (COMBINATORIAL_OPERATORS.has(op)) {
      if (args.some((a) => Math.abs(literal(a) ?? 0) > MAX_COMBINATORIAL_ARG)) return true;
    }
    if (op === 'Power' && Math.abs(literal(args[1]) ?? 0) > MAX_EXPONENT) return true;
  }
  return args.some(isUnsafe);
}

/** Commands whose braced argument is text, left as it is. */
const VERBATIM = /^\\(?:text|textbf|textit|mathrm|operatorname|mbox|begin|end)\{[^{}]*\}/;

/**
 * Rewrites an answer so Compute Engine reads it the way sympy's `parse_latex` (the reference's
 * parser) does, where that changes the verdict:
 * - `\pi`, `e` and `i` are plain symbols there, not constants: `\frac{\pi}{2}` is not 1.5708 and
 *   `i^2` is not -1 for the reference, so they become the symbols `pi`, `ee` and `ii` here;
 * - `\log x` is the natural logarithm there (Compute Engine reads base 10);
 * - a numeral's base subscript is dropped: `4210_{5}` reads as 4210, not as the base-5 value 555
 *   (which would accept a base-10 answer to a "convert to base 5" question).
 */
export function asSympyReads(answer: string): string {
  const text = answer.replace(/(\d)_(?:\{\d+\}|\d)/g, '$1');
  let out = '';
  for (let at = 0; at < text.length;) {
    const rest = text.slice(at);
    const verbatim = VERBATIM.exec(rest);
    if (verbatim) {
      out += verbatim[0];
      at += verbatim[0].length;
      continue;
    }
    // A backslash and what it escapes (`\\` between matrix rows, `\{`, `\,`) go through together.
    const command = /^\\(?:[a-zA-Z]+|[^a-zA-Z])/.exec(rest)?.[0];
    if (command) {
      const next = text[at + command.length];
      if (command === '\\pi') out += '\\operatorname{pi}';
      else if (command === '\\log' && next !== '_') out += '\\ln';
      else out += command;
      at += command.length;
      continue;
    }
    const ch = text[at] as string;
    out += ch === 'e' ? '\\operatorname{ee}' : ch === 'i' ? '\\operatorname{ii}' : ch;
    at++;
  }
  return out;
}

/** LaTeX first; if that fails, the plain-expression spelling (`**` for powers). */
function parse(ce: Engine, answer: string): Expr | null {
  // sympy cannot parse an empty answer; Compute Engine reads it as "nothing", which would be 0.
  if (answer.trim() === '') return null;
  const text = asSympyReads(answer);
  const latex = ce.parse(text);
  if (latex === null) return null;
  if (latex.isValid && !isUnsafe(latex.json)) return latex;
  if (text.includes('**')) {
    const plain = ce.parse(text.replaceAll('**', '^'));
    if (plain !== null && plain.isValid && !isUnsafe(plain.json)) return plain;
  }
  return null;
}

/** A real number, or null when the value is not a finite-or-infinite real. */
function realValue(expr: Expr): number | null {
  const value = expr.N();
  const re = value.re;
  const im = value.im;
  if (Number.isNaN(re) || im !== 0) return null;
  return re;
}

/** Deterministic sample values (mixed signs, no integers, away from common poles). */
const SAMPLES = [
  0.5377, -1.3389, 1.8623, 0.3188, -0.4336, 2.7694, -1.2075, 0.7172, 1.6302, -0.3034,
];
const SAMPLE_POINTS = 5;

function complexAt(expr: Expr, ce: Engine, at: Record<string, number>): [number, number] | null {
  const subs: Record<string, Expr> = {};
  for (const [name, v] of Object.entries(at)) subs[name] = ce.number(v);
  const value = expr.subs(subs).N();
  const re = value.re;
  const im = value.im;
  if (!Number.isFinite(re) || !Number.isFinite(im)) return null;
  return [re, im];
}

/** Do two expressions with free variables agree at every sample point where either is defined? */
function agreeAtSamples(ce: Engine, a: Expr, b: Expr, deadline: number): boolean {
  const names = [...new Set([...a.unknowns, ...b.unknowns])];
  if (names.length === 0 || names.length > 6) return false;
  let agreed = 0;
  for (let j = 0; j < SAMPLE_POINTS; j++) {
    if (Date.now() > deadline) return false;
    const at: Record<string, number> = {};
    names.forEach((name, k) => {
      at[name] = SAMPLES[(j * 3 + k * 7) % SAMPLES.length] as number;
    });
    const va = complexAt(a, ce, at);
    const vb = complexAt(b, ce, at);
    if (va === null && vb === null) continue;
    if (va === null || vb === null) return false;
    const scale = Math.max(1, Math.hypot(...va), Math.hypot(...vb));
    if (Math.hypot(va[0] - vb[0], va[1] - vb[1]) > 1e-6 * scale) return false;
    agreed++;
  }
  return agreed >= 3;
}

function compare(ce: Engine, left: string, right: string, deadline: number): boolean {
  const a = parse(ce, left);
  const b = parse(ce, right);
  if (a === null || b === null) return false;

  try {
    const diff = ce.box(['Subtract', a, b]).simplify();
    if (diff.isValid && diff.isSame(0)) return true;
  } catch (error) {
    if (isCancellation(error)) throw error;
  }

  try {
    const va = realValue(a);
    const vb = realValue(b);
    if (va !== null && vb !== null && isClose(va, vb, 1e-3)) return true;
  } catch (error) {
    if (isCancellation(error)) throw error;
  }

  try {
    return agreeAtSamples(ce, a, b, deadline);
  } catch (error) {
    if (isCancellation(error)) throw error;
    return false;
  }
}

function isCancellation(error: unknown): boolean {
  return error instanceof Error && error.name === 'CancellationError';
}

/**
 * Are two normalised answers mathematically equal? Never throws; false when either side does not
 * parse, when the CAS fails, or when `timeoutMs` runs out.
 */
export function symbolicEqual(
  left: string,
  right: string,
  timeoutMs = DEFAULT_SYMBOLIC_TIMEOUT_MS,
): boolean {
  if (left.length + right.length > 2 * MAX_SYMBOLIC_CHARS) return false;
  const start = Date.now();
  const t0 = performance.now();
  stats.calls++;
  const ce = getEngine();
  // A fresh scope per comparison: symbols declared while parsing one answer must not leak their
  // inferred types into the next comparison.
  ce.pushScope();
  // Compute Engine logs (and then recovers from) internal errors on malformed input with
  // console.error; on garbage model output that would flood the CLI's stderr. The call is
  // synchronous, so no other code's logging is caught in between.
  const consoleError = console.error;
  console.error = () => {
    stats.engineErrors++;
  };
  let equal = false;
  try {
    equal = ce.withTimeLimit({ ms: timeoutMs, label: 'tokenskip-grade' }, () =>
      compare(ce, left, right, start + timeoutMs),
    );
  } catch (error) {
    if (isCancellation(error)) stats.timeouts++;
    equal = false;
  } finally {
    console.error = consoleError;
    ce.popScope();
    stats.totalMs += performance.now() - t0;
  }
  if (equal) stats.equal++;
  return equal;
}

// Importing this module is what makes the grader's symbolic check available (symbolic-hook.ts).
installSymbolicEqual(symbolicEqual);
