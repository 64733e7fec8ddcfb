/** Types of the light command table (table.mjs is plain JavaScript so help needs no TS loader). */
export interface CommandInfo {
  name: string;
  /** One line for `tokenskip --help`. */
  summary: string;
  /** Full help text for `tokenskip <command> --help` (without the common options). */
  usage: string;
}
export const COMMON_OPTIONS: string;
export const commandTable: CommandInfo[];
export function usageOf(name: string): string | undefined;
export function mainHelp(): string;
export function commandInfo(name: string): CommandInfo;
export function version(): string;
export function quickAnswer(
  argv: string[],
): { code: number; stdout?: string; stderr?: string } | undefined;
export function unknownCommand(name: string): string;
