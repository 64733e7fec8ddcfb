/**
 * Writes the prompt table (src/core/prompts/formats.ts) as JSON for the Python trainer.
 *
 *   npm run gen:prompts      # then commit trainer/tokenskip_trainer/prompt_table.json
 */
import { renameSync, writeFileSync } from 'node:fs';
import { PROMPT_TABLE_JSON, promptTableJson } from '../src/core/prompts/table-json.ts';

const tmp = `${PROMPT_TABLE_JSON}.partial`;
writeFileSync(tmp, `${JSON.stringify(promptTableJson(), null, 2)}\n`);
renameSync(tmp, PROMPT_TABLE_JSON);
console.log(`wrote ${PROMPT_TABLE_JSON}`);
