/**
 * The mini recipe's hyper-parameters as a Markdown table, generated from models/mini/recipe.json:
 * models/mini/README.md holds this table between `<!-- recipe:start -->` and `<!-- recipe:end -->`
 * and a test checks it is the file's, so the prose never drifts from the data.
 *
 *   npx tsx scripts/recipe-table.ts   # prints the block to paste
 */
import type { Recipe } from '../commands/mini.ts';

export const RECIPE_MARKERS = ['<!-- recipe:start -->', '<!-- recipe:end -->'] as const;

function row(step: string, settings: Record<string, unknown>, quick: Record<string, unknown>) {
  const cell = (o: Record<string, unknown>) =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(', ') : String(v)}`)
      .join('; ');
  return `| ${step} | ${cell(settings)} | ${cell(quick)} |`;
}

export function recipeMarkdown(full: Recipe, quick: Recipe): string {
  const sizes = (r: Recipe) => ({
    languages: r.languages,
    pretrainProblems: r.pretrainProblems,
    collectProblems: r.collectProblems,
    testProblems: r.testProblems,
  });
  return [
    RECIPE_MARKERS[0],
    '| step | full recipe | `--quick` |',
    '| --- | --- | --- |',
    row('sizes', sizes(full), sizes(quick)),
    row('tokenizer', full.tokenizer, quick.tokenizer),
    row('model', full.model, quick.model),
    row('pretrain', full.pretrain, quick.pretrain),
    row('scorer', full.scorer, quick.scorer),
    row('data', full.data, quick.data),
    row('lora', full.lora, quick.lora),
    RECIPE_MARKERS[1],
  ].join('\n');
}
