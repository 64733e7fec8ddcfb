/**
 * The one argument-parsing layer of every `tokenskip` command: `node:util` parseArgs, strict, plus
 * the checks every command needs, so all commands answer a bad command line the same way: a
 * `UsageError` (exit status 2) with one line naming the flag and what to do.
 *
 *   const { values } = parseCommandArgs('grade', argv, { in: { type: 'string' } });
 *   const retries = intOption('--retries', values.retries, { min: 0 });
 *
 * Every command also takes `--json` (a machine-readable summary on stdout). `--api-key` is refused:
 * secrets come from the environment only (`apiKeyFromEnv`).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TokenSkipError } from '../core/errors.ts';
import { parseGamma, parseGammaList } from '../core/prompts/gamma.ts';

/** A bad command line: unknown option, missing or malformed value. The CLI exits with 2. */
export class UsageError extends TokenSkipError {
  override name = 'UsageError';
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>
>;

const JSON_OPTION = { json: { type: 'boolean', default: false } } as const;

/** The first sentence of parseArgs' message, which goes on to explain `--` at length. */
export function firstSentence(message: string): string {
  const line = message.split('\n')[0] ?? message;
  const end = line.indexOf('. ');
  return end < 0 ? line.replace(/\.$/, '') : line.slice(0, end);
}

/**
 * Parses `argv` for `command` with `options` (plus `--json`); at most `positionals` positional
 * arguments. Any problem is a one-line UsageError that ends with where to find the options.
 */
export function parseCommandArgs<const O extends Options>(
  command: string,
  argv: string[],
  options: O,
  { positionals = 0 }: { positionals?: number } = {},
): { values: Parsed<O>['values'] & { json: boolean }; positionals: string[] } {
  const hint = `Run 'tokenskip ${command} --help' for the options.`;
  const end = argv.indexOf('--');
  if ((end < 0 ? argv : argv.slice(0, end)).some((a) => /^--api-key(=|$)/.test(a))) {
    throw new UsageError(
      '--api-key is not taken on the command line (it would show in the process list and shell ' +
        'history); set TOKENSKIP_API_KEY or OPENAI_API_KEY in the environment instead.',
    );
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, ...JSON_OPTION },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(`${firstSentence((error as Error).message)}. ${hint}`);
  }
  if (parsed.positionals.length > positionals) {
    throw new UsageError(`Unexpected argument '${parsed.positionals[positionals]}'. ${hint}`);
  }
  return parsed as unknown as {
    values: Parsed<O>['values'] & { json: boolean };
    positionals: string[];
  };
}

/** Plain decimal numbers only: Number() would take '', '0x1', '1e', 'Infinity' and ' 2 '. */
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

export interface NumberRule {
  /** Whole numbers only. */
  integer?: boolean;
  min?: number;
  /** `min` itself is not allowed. */
  minExclusive?: boolean;
  max?: number;
  /** `max` itself is not allowed. */
  maxExclusive?: boolean;
}

function describeRule(rule: NumberRule): string {
  const what = rule.integer ? 'an integer' : 'a number';
  const { min, max } = rule;
  if (min !== undefined && max !== undefined) {
    return `${what} in ${rule.minExclusive ? '(' : '['}${min}, ${max}${rule.maxExclusive ? ')' : ']'}`;
  }
  if (min !== undefined) return `${what} ${rule.minExclusive ? '>' : '>='} ${min}`;
  if (max !== undefined) return `${what} ${rule.maxExclusive ? '<' : '<='} ${max}`;
  return what;
}

/** Checks a numeric option's text; a UsageError names the flag, the rule and what was given. */
export function numberOption(flag: string, raw: string, rule: NumberRule = {}): number {
  const text = raw.trim();
  const n = DECIMAL.test(text) ? Number(text) : NaN;
  const ok =
    Number.isFinite(n) &&
    (!rule.integer || Number.isSafeInteger(n)) &&
    (rule.min === undefined || (rule.minExclusive ? n > rule.min : n >= rule.min)) &&
    (rule.max === undefined || (rule.maxExclusive ? n < rule.max : n <= rule.max));
  if (!ok) {
    throw new UsageError(`${flag} must be ${describeRule(rule)}, got '${raw}'.`);
  }
  return n;
}

/** `numberOption` for an option that may be absent. */
export function optionalNumber(
  flag: string,
  raw: string | undefined,
  rule: NumberRule = {},
): number | undefined {
  return raw === undefined ? undefined : numberOption(flag, raw, rule);
}

/** An integer option >= `min` (default 1). */
export function intOption(flag: string, raw: string, min = 1): number {
  return numberOption(flag, raw, { integer: true, min });
}

/** Runs option checks; a core validation error they throw becomes a UsageError (exit 2). */
export function usageErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof TokenSkipError && !(error instanceof UsageError)) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}

/** γ from a flag, through the project's one γ parser (src/core/prompts/gamma.ts). */
export function gammaOption(flag: string, raw: string): number {
  return usageErrors(() => parseGamma(raw, flag));
}

/** A comma-separated γ list from a flag. */
export function gammaListOption(flag: string, raw: string): number[] {
  return usageErrors(() => parseGammaList(raw, flag));
}

/** One of `choices`, or a UsageError listing them. */
export function choiceOption<T extends string>(
  flag: string,
  raw: string | undefined,
  choices: readonly T[],
): T {
  if (raw !== undefined && (choices as readonly string[]).includes(raw)) return raw as T;
  const list = `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
  throw new UsageError(`${flag} must be ${list}${raw === undefined ? '' : `, got '${raw}'`}.`);
}

/** The API key for OpenAI-compatible endpoints: from the environment only. */
export function apiKeyFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.TOKENSKIP_API_KEY || env.OPENAI_API_KEY || undefined;
}

/**
 * A command's closing summary: one human line on stderr; with `--json` the machine-readable
 * summary on stdout too (stdout carries only data and that summary).
 */
export function writeSummary(
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  json: boolean,
  text: string,
  summary: unknown,
): void {
  io.stderr.write(`${text}\n`);
  if (json) io.stdout.write(`${JSON.stringify(summary)}\n`);
}
