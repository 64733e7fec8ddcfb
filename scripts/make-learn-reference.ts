/**
 * Writes data/reference/learn-mini.json: the shipped mini scorer's scores of the Learn page's
 * worked example (en and zh), with the options the Learn page sends (the mini recipe's compression,
 * LEARN_SCORE_OPTIONS), in onnxruntime-node on one thread. The Learn page paints its heat map from
 * them on first paint, labelled as the reference, until the scorer has loaded in the browser;
 * tests/web/learn-reference.test.ts checks they are what the model computes.
 *
 *   npx tsx scripts/make-learn-reference.ts
 */
import { writeFileSync } from 'node:fs';
import { scoreLingua2 } from '../src/core/compression/llmlingua2.ts';
import type { ScoresReference } from '../src/core/compression/scores-reference.ts';
import { canonicalExample } from '../src/core/datasets/canonical-example.ts';
import { LEARN_SCORE_OPTIONS } from '../src/core/models/mini-compression.ts';
import { DEFAULT_MODELS, findScorer } from '../src/core/models/registry.ts';
import { pickVariant } from '../src/runtime/hub/model-manifest.ts';
import { loadNodeScorer } from '../src/runtime/node/scorer-node.ts';

const entry = findScorer(DEFAULT_MODELS.scorer);
const file = pickVariant(entry, 'wasm').file;
const modelSha256 = entry.files?.find((f) => f.path === file)?.sha256;
if (!modelSha256) throw new Error(`${entry.id}: the registry has no sha256 for ${file}`);
const scorer = await loadNodeScorer(entry.id, { threads: 1 });
const languages = {} as ScoresReference['languages'];
for (const language of ['en', 'zh'] as const) {
  const { cot } = canonicalExample(language);
  const [scored] = await scoreLingua2(
    [cot],
    scorer.tokenizer,
    scorer.classifier,
    {
      ...LEARN_SCORE_OPTIONS,
      forceTokens: [...LEARN_SCORE_OPTIONS.forceTokens],
    },
    entry.id,
  );
  languages[language] = { cot, scored: scored! };
}
await scorer.classifier.release();
const doc: ScoresReference = {
  model: entry.id,
  modelSha256,
  engine: 'onnxruntime-node (CPU), 1 thread',
  options: { ...LEARN_SCORE_OPTIONS, forceTokens: [...LEARN_SCORE_OPTIONS.forceTokens] },
  languages,
};
writeFileSync('data/reference/learn-mini.json', JSON.stringify(doc) + '\n');
console.log('wrote data/reference/learn-mini.json');
