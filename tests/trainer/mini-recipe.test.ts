/** The mini recipe is data: models/mini/recipe.json, its README table, and `--recipe` overrides. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MINI_STEPS, overrideRecipe, readRecipes, type Ctx } from '../../src/node/commands/mini.ts';
import { RECIPE_MARKERS, recipeMarkdown } from '../../src/node/pipeline/mini-recipe-doc.ts';

describe('models/mini/recipe.json', () => {
  it("is what models/mini/README.md's recipe table says (npx tsx scripts/recipe-table.ts)", async () => {
    const { full, quick } = await readRecipes();
    const readme = readFileSync('models/mini/README.md', 'utf8');
    const start = readme.indexOf(RECIPE_MARKERS[0]);
    const end = readme.indexOf(RECIPE_MARKERS[1]);
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start, end + RECIPE_MARKERS[1].length)).toBe(recipeMarkdown(full, quick));
  });

  it('keeps original CoTs (γ = 1) in the TokenSkip data of both recipes', async () => {
    const { full, quick } = await readRecipes();
    for (const r of [full, quick]) expect(r.data.gammas).toContain(1);
  });

  it('--recipe overrides only what it names, and refuses a misspelt setting', async () => {
    const { full } = await readRecipes();
    const r = overrideRecipe(full, { lora: { lr: 0.001 } }, 'x.json');
    expect(r.lora).toEqual({ ...full.lora, lr: 0.001 });
    expect(r.scorer).toEqual(full.scorer);
    expect(() => overrideRecipe(full, { lora: { lrr: 1 } }, 'x.json')).toThrow(
      /x\.json: unknown recipe setting 'lora\.lrr'/,
    );
  });
});

describe('the mini pipeline as a table of steps', () => {
  it('every step reads only what an earlier step wrote (or a shipped model), for both recipes and --reuse-base', async () => {
    const { full, quick } = await readRecipes();
    for (const recipe of [full, quick]) {
      for (const reuseBase of [undefined, 'models/mini/base']) {
        const ctx = { recipe, reuseBase } as Ctx;
        const made = new Set<string>();
        const names: string[] = [];
        for (const s of MINI_STEPS) {
          if (s.when && !s.when(ctx)) continue;
          names.push(s.name);
          for (const input of s.inputs(ctx)) {
            const shipped = input.startsWith('models/mini/');
            expect(shipped || made.has(input), `${s.name} reads ${input}`).toBe(true);
          }
          for (const o of s.outputs) made.add(o);
        }
        // The base model comes one way or the other, never both.
        expect(names.includes('reuse-base')).toBe(reuseBase !== undefined);
        expect(names.includes('pretrain')).toBe(reuseBase === undefined);
        expect(names.at(-1)).toBe('eval-tokenskip');
      }
    }
  });
});
