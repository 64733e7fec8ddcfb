/** Prints models/mini/README.md's recipe table from models/mini/recipe.json (see mini-recipe-doc.ts). */
import { readRecipes } from '../src/node/commands/mini.ts';
import { recipeMarkdown } from '../src/node/pipeline/mini-recipe-doc.ts';

const { full, quick } = await readRecipes();
process.stdout.write(`${recipeMarkdown(full, quick)}\n`);
