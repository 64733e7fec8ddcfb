/** Types of compress's flag table (compress-flags.mjs is plain JavaScript so help needs no TS loader). */
export interface CompressFlag {
  name: string;
  type: 'string' | 'boolean';
  default?: string | boolean;
  arg?: string;
  usage?: string;
  help?: string[];
  only?: 'llmlingua2' | 'causal';
  section: 'options' | 'causal';
  note?: string[];
}
export const COMPRESS_FLAGS: readonly CompressFlag[];
export function compressParseSpec(): Record<
  string,
  { type: 'string' | 'boolean'; default?: string | boolean }
>;
export function flagsNotFor(
  values: Record<string, string | boolean | undefined>,
  scorer: 'llmlingua2' | 'causal',
): string[];
export function compressOptionsHelp(section: 'options' | 'causal'): string;
