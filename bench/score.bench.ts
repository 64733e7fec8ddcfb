/**
 * `npm run bench:score`: scoring throughput of LLMLingua-2, CTS and perplexity on the same CoTs,
 * side by side in one run, with generated models of comparable size (random weights: speed only).
 *
 *   npm run bench:score                       # base-sized models (~85M parameters each), 8 CoTs
 *   npm run bench:score -- --size tiny --cots 50
 *
 * Models are generated once into bench/.models/ (git-ignored) by the fixture scripts:
 * a BERT-base-shaped LLMLingua-2 token classifier (12 x 768) and a Qwen2-shaped causal LM of the
 * same depth and width whose MLP (2,304) gives each layer BERT-base's 7.1M parameters (its
 * grouped-query attention is smaller, its gated MLP wider). Throughput is reported in cl100k tokens of CoT per second, the one unit
 * every scorer shares (their own tokenizers differ), plus each model's own tokens per second.
 * CTS runs two passes per window (with and without the condition), perplexity one, LLMLingua-2 one
 * 512-position pass per chunk (padded), which is what the ratios show.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { countCl100kTokens as countCl100k } from '../src/core/compression/token-count.ts';
import { createCausalScorer } from '../src/core/scoring/causal-scorer.ts';
import { createLingua2Scorer } from '../src/core/scoring/lingua2-scorer.ts';
import type { Scorer, ScoreInput } from '../src/core/scoring/types.ts';
import { loadNodeReferenceModel } from '../src/runtime/node/causal-scorer-node.ts';
import { loadNodeScorer } from '../src/runtime/node/scorer-node.ts';
import { trainerEnv } from '../src/node/pipeline/python.ts';
import { benchArgs } from './bench-args.ts';

const { values } = benchArgs(import.meta.url, {
  size: { type: 'string', default: 'base' },
  cots: { type: 'string', default: '8' },
  threads: { type: 'string', default: '2' },
});
const size = values.size === 'tiny' ? 'tiny' : 'base';
const cotCount = Number(values.cots);
const threads = Number(values.threads);
const root = path.resolve(import.meta.dirname, '..');
const modelsDir = path.join(root, 'bench', '.models');
const python = '/usr/bin/python3';

function ensure(dir: string, script: string, args: string[]): string {
  if (size === 'tiny') return dir;
  if (!existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
    console.log(`generating ${path.relative(root, dir)} ...`);
    // The fixture scripts import the trainer package (tokenskip_trainer).
    execFileSync(python, [path.join(root, 'scripts', script), ...args], {
      stdio: 'inherit',
      env: trainerEnv(),
    });
  }
  return dir;
}

const causalDir = ensure(path.join(modelsDir, 'qwen2-base'), 'make_causal_fixture.py', [
  '--out',
  path.join(modelsDir, 'qwen2-base'),
  '--hidden',
  '768',
  '--layers',
  '12',
  '--intermediate',
  '2304',
  '--steps',
  '0',
]);
const causal = size === 'tiny' ? path.join(root, 'models/fixtures/tiny-qwen2') : causalDir;
const linguaDir = ensure(path.join(modelsDir, 'tiny-lingua-xlmr-base'), 'make_scorer_fixtures.py', [
  '--size',
  'base',
  '--kinds',
  'xlmr',
  '--out',
  modelsDir,
]);
const lingua = size === 'tiny' ? path.join(root, 'models/fixtures/tiny-lingua-xlmr') : linguaDir;

const inputs: ScoreInput[] = readFileSync(path.join(root, 'data/gsm8k/test.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, cotCount)
  .map((line) => {
    const row = JSON.parse(line) as { question: string; answer: string; cot: string };
    return { cot: row.cot.replace(/<<[^>]*>>/g, ''), question: row.question, answer: row.answer };
  });
const cl100k = inputs.reduce((sum, input) => sum + countCl100k(input.cot), 0);

interface Row {
  scorer: string;
  model: string;
  seconds: number;
  modelTokens: number;
}

async function time(
  label: string,
  scorer: Scorer,
  modelTokens: (input: ScoreInput) => number,
): Promise<Row> {
  await scorer.score(inputs[0] as ScoreInput); // warm-up: first-run allocations, cl100k ranks
  const started = performance.now();
  for (const input of inputs) await scorer.score(input);
  const seconds = (performance.now() - started) / 1000;
  return {
    scorer: label,
    model: path.relative(root, scorer.model),
    seconds,
    modelTokens: inputs.reduce((sum, input) => sum + modelTokens(input), 0),
  };
}

const rows: Row[] = [];
const classifier = await loadNodeScorer(lingua, { threads });
const linguaScorer = createLingua2Scorer(classifier.tokenizer, classifier.classifier, lingua);
rows.push(
  await time(
    'llmlingua2',
    linguaScorer,
    (input) => classifier.tokenizer.tokenize(input.cot).length,
  ),
);
await classifier.classifier.release();

const reference = await loadNodeReferenceModel(causal, { threads });
const refTokens = (input: ScoreInput): number => reference.tokenizer.encode(input.cot).length;
for (const [label, name, condition] of [
  ['cts (question)', 'cts', 'question'],
  ['cts (both)', 'cts', 'both'],
  ['ppl', 'ppl', 'question'],
] as const) {
  const scorer = createCausalScorer(name, reference.lm, reference.tokenizer, causal, {
    condition,
  });
  rows.push(await time(label, scorer, refTokens));
}
await reference.session.release();

const baseline = rows[0] as Row;
console.log(
  `\n${inputs.length} GSM8K test CoTs, ${cl100k} cl100k tokens; ${size} models; ${threads} threads\n`,
);
console.log(
  `${'scorer'.padEnd(16)} ${'model'.padEnd(34)} ${'seconds'.padStart(8)} ${'cl100k tok/s'.padStart(13)} ${'model tok/s'.padStart(12)} ${'vs first'.padStart(9)}`,
);
for (const row of rows) {
  console.log(
    `${row.scorer.padEnd(16)} ${row.model.padEnd(34)} ${row.seconds.toFixed(2).padStart(8)} ${(cl100k / row.seconds).toFixed(1).padStart(13)} ${(row.modelTokens / row.seconds).toFixed(1).padStart(12)} ${`${(baseline.seconds / row.seconds).toFixed(2)}x`.padStart(9)}`,
  );
}
