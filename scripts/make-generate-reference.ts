/**
 * Writes data/reference/generate-mini.json: the Generate page's reference run, the shipped
 * TokenSkip-mini (models/mini/tokenskip) answering the worked example (en and zh) at γ = 1 and at
 * γ = 0.6, greedy, 128 new tokens, in onnxruntime-node after one untimed warm-up generation. The
 * page opens on it (labelled as the reference) until the user generates;
 * tests/web/generate-reference.test.ts checks the texts are what the model writes.
 *
 *   npx tsx scripts/make-generate-reference.ts
 */
import { writeFileSync } from 'node:fs';
import { canonicalExample } from '../src/core/datasets/canonical-example.ts';
import { closeTimeline, type TimelinePoint } from '../src/core/generation/timeline.ts';
import { buildPrompt, promptFormat, splitOutput } from '../src/core/prompts/index.ts';
import { loadTokenCounter } from '../src/node/token-counter.ts';
import { createNodeOnnxEngine } from '../src/runtime/node/onnx-engine-node.ts';
import {
  GENERATE_REFERENCE_SETTINGS as SETTINGS,
  type GenerateReference,
} from '../src/core/generation/reference-run.ts';

const DIR = 'models/mini/tokenskip';
const round = (x: number) => Math.round(x * 10) / 10;

const engine = createNodeOnnxEngine(DIR, { modelId: SETTINGS.model, threads: 1 });
const info = await engine.load();
const { count } = await loadTokenCounter(DIR);
const stop = promptFormat('qwen2.5-instruct').stop;
const languages = {} as GenerateReference['languages'];
for (const language of ['en', 'zh'] as const) {
  const { question } = canonicalExample(language);
  // Untimed warm-up of the full budget, as the page does before its first timed run.
  await engine.generate(buildPrompt('qwen2.5-instruct', question, 1), {
    maxNewTokens: SETTINGS.maxNewTokens,
    ignoreEos: true,
  });
  const runs: GenerateReference['languages']['en']['runs'] = [];
  for (const gamma of [1, SETTINGS.gamma]) {
    const started = performance.now();
    const points: TimelinePoint[] = [];
    const result = await engine.generate(
      buildPrompt('qwen2.5-instruct', question, gamma),
      { maxNewTokens: SETTINGS.maxNewTokens, stop },
      (e) => {
        if (e.type === 'token')
          points.push({ ms: performance.now() - started, tokens: points.length + 1 });
      },
    );
    const usage = Object.fromEntries(
      Object.entries(result.usage).map(([k, v]) => [k, round(v)]),
    ) as typeof result.usage;
    runs.push({
      gamma,
      text: result.text,
      finishReason: result.finishReason,
      usage,
      cotTokens: count(splitOutput(result.text).cot),
      timeline: closeTimeline(points, { usage }).map((p) => ({
        ms: round(p.ms),
        tokens: p.tokens,
      })),
    });
  }
  languages[language] = { question, runs };
}
await engine.unload();
const doc: GenerateReference = {
  ...SETTINGS,
  engine: info.detail,
  threads: 1,
  languages,
};
writeFileSync('data/reference/generate-mini.json', JSON.stringify(doc, null, 2) + '\n');
console.log('wrote data/reference/generate-mini.json');
