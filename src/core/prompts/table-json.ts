/**
 * The prompt table (./formats.ts) as plain JSON, for the Python trainer: `npm run gen:prompts`
 * writes it to trainer/tokenskip_trainer/prompt_table.json, which prompt_table.py reads (the mini
 * tokenizer's special tokens, eos, pad and corpus text), and tests/prompts/prompt-table.test.ts
 * checks that the file equals this object.
 */
import { MINI_TOKENIZER, PROMPT_FORMATS, TOKENSKIP_RECORD } from './formats.ts';
import { formatGamma } from './gamma.ts';
import { GAMMAS } from './tokenskip-format.ts';

/** Where `npm run gen:prompts` writes the table, relative to the repository root. */
export const PROMPT_TABLE_JSON = 'trainer/tokenskip_trainer/prompt_table.json';

export function promptTableJson(): Record<string, unknown> {
  return {
    generated: 'from src/core/prompts/formats.ts by `npm run gen:prompts`; do not edit',
    record: { ...TOKENSKIP_RECORD },
    formats: PROMPT_FORMATS,
    mini: { ...MINI_TOKENIZER },
    // The training γ below 1, as the prompts print them ("0.9" ... "0.5").
    gammas: GAMMAS.filter((g) => g < 1).map(formatGamma),
  };
}
