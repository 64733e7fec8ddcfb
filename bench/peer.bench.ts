/**
 * `npm run bench:peer`: our LLMLingua-2 scorer against the npm peer `@atjsh/llmlingua-2` (built on
 * transformers.js), side by side in ONE process, on the same model, texts and backend:
 *
 *   npm run bench:peer                     # Node: onnxruntime-node CPU on both sides (both 1.30.0)
 *   BENCH_TEXTS=6 npm run bench:peer -- --large   # Node, an XLM-R-large-shaped model (work/large)
 *   npm run bench:peer -- --browser        # ONE Chromium page: onnxruntime-web WASM on both sides
 *                                          # (BENCH_BROWSER_TEXTS, default 30, of the CoTs), then
 *                                          # WebGPU (SwiftShader) where present (BENCH_GPU_TEXTS, 6)
 *
 * Model: a BERT-base-shaped LLMLingua-2 token classifier (12 layers, hidden 768, mBERT WordPiece
 * tokenizer; random weights, real layout: config.json, tokenizer.json, onnx/model.onnx), generated
 * once into bench/.models/ by scripts/make_scorer_fixtures.py --size base. The peer loads it through
 * transformers.js from that folder (`env.localModelPath`, remote models off); we load it through
 * our own loader (src/runtime/scorers/scorer-loader.ts).
 *
 * Texts: the first BENCH_TEXTS (90) GSM8K test CoTs (data/gsm8k/test.jsonl, calculator notes
 * stripped), at γ in BENCH_RATES (0.5,0.7,0.9). First checks both sides keep the same words for
 * every text at every γ, then prints throughput (texts/s over the whole job, best of BENCH_ROUNDS
 * alternated rounds) and single-text latency (median of BENCH_LATENCY_RUNS, a median-length CoT),
 * both sides and the ratio. Threads: BENCH_THREADS (default 2) intra-op threads on both sides.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripCalculatorNotes } from '../src/core/datasets/examples.ts';
import { repoRoot } from '../src/runtime/hub/node/model-files.ts';
import {
  formatPeerReport,
  medianLengthText,
  type PeerRunReport,
  type PeerRunRequest,
} from './peer/sides.ts';
import { benchArgs } from './bench-args.ts';

const TEXTS = Number(process.env.BENCH_TEXTS ?? 90);
const RATES = (process.env.BENCH_RATES ?? '0.5,0.7,0.9').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 10);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
/**
 * `--large`: an XLM-R-large-shaped model (24 layers, hidden 1024, 2.24 GB of fp32 external data)
 * made by scripts/make_large_scorer.py into work/large (or BENCH_LARGE_DIR); Node only. Both sides
 * feed XLM-R's real <s>/</s>, as the peer does (ours: `realBoundaries`; the reference feeds <unk>).
 */
const { values: flags } = benchArgs(import.meta.url, {
  browser: { type: 'boolean', default: false },
  large: { type: 'boolean', default: false },
});
const large = flags.large;
const largeDir = path.resolve(repoRoot, process.env.BENCH_LARGE_DIR ?? 'work/large');
const modelsDir = large ? path.dirname(largeDir) : path.join(repoRoot, 'bench/.models');
const modelName = large ? path.basename(largeDir) : 'tiny-lingua-mbert-base';
const modelDir = path.join(modelsDir, modelName);
const shape = large
  ? 'XLM-R-large shape: 24 layers, hidden 1024, random weights'
  : 'BERT-base shape: 12 layers, hidden 768, random weights';

function ensureModel(): void {
  if (existsSync(path.join(modelDir, 'onnx/model.onnx'))) return;
  if (large) {
    console.error(
      `bench:peer --large: no model in ${modelDir}. Make it with /usr/bin/python3 scripts/make_large_scorer.py --out ${path.relative(repoRoot, largeDir)} (or set BENCH_LARGE_DIR).`,
    );
    process.exit(1);
  }
  console.log('Generating a BERT-base-sized token classifier (once; about a minute)...');
  execFileSync(
    '/usr/bin/python3',
    ['scripts/make_scorer_fixtures.py', '--size', 'base', '--kinds', 'mbert', '--out', modelsDir],
    { cwd: repoRoot, stdio: 'inherit' },
  );
}

const texts = readFileSync(path.join(repoRoot, 'data/gsm8k/test.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, TEXTS)
  .map((l) => stripCalculatorNotes((JSON.parse(l) as { cot: string }).cot));

const request: PeerRunRequest = {
  texts,
  rates: RATES,
  rounds: ROUNDS,
  latencyRuns: LATENCY_RUNS,
  latencyText: medianLengthText(texts),
};

function header(where: string): void {
  console.log(
    `\nbench:peer — ${where}; model ${path.relative(repoRoot, modelDir)} (${shape}); ` +
      `GSM8K test CoTs; ${THREADS} thread(s) on both sides; ${os.availableParallelism()} cores shared with other jobs (load ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')})`,
  );
}

async function nodeMain(): Promise<void> {
  const ortNode = await import('onnxruntime-node');
  const { env } = await import('@huggingface/transformers');
  const { LLMLingua2 } = await import('@atjsh/llmlingua-2');
  const { Tiktoken } = await import('js-tiktoken/lite');
  const { default: cl100k } = await import('js-tiktoken/ranks/cl100k_base');
  const { loadScorer } = await import('../src/runtime/scorers/scorer-loader.ts');
  const { nodeHub, openModel } = await import('../src/runtime/hub/node/model-files.ts');
  type OrtLike = import('../src/runtime/scorers/onnx-token-classifier.ts').OrtLike;
  const { ourSide, peerSide, runPeerComparison } = await import('./peer/sides.ts');

  // transformers.js resolves `<localModelPath><name>/onnx/model.onnx` etc.; never the hub.
  env.localModelPath = `${modelsDir}/`;
  env.allowRemoteModels = false;
  let t = performance.now();
  const factory = large ? LLMLingua2.WithXLMRoBERTa : LLMLingua2.WithBERTMultilingual;
  const { promptCompressor } = await factory(modelName, {
    transformerJSConfig: { device: 'cpu', dtype: 'fp32' },
    // cl100k: the token counter our pipeline weighs words with (src/core/compression/token-count.ts).
    oaiTokenizer: new Tiktoken(cl100k),
    modelSpecificOptions: {
      session_options: { intraOpNumThreads: THREADS },
      // The peer's README: one external data file for the XLM-R large export.
      ...(large ? { use_external_data_format: { 'model.onnx': 1 } } : {}),
    },
  });
  const peerLoadMs = performance.now() - t;
  t = performance.now();
  const model = await openModel({ folder: modelDir }, { kind: 'scorer' }, nodeHub());
  // 2.24 GB of external data is past what Node's readFile returns (ERR_FS_FILE_TOO_LARGE), and
  // onnxruntime-node has no `externalData` session option: for --large ORT opens the graph by path
  // and finds model.onnx_data beside it, as the peer's transformers.js does in Node.
  const graphPath = path.join(modelDir, model.variant.file);
  const ort: OrtLike = large
    ? {
        Tensor: ortNode.Tensor,
        InferenceSession: { create: (_bytes, o) => ortNode.InferenceSession.create(graphPath, o) },
      }
    : ortNode;
  const variant = large ? { file: model.variant.file, dtype: model.variant.dtype } : model.variant;
  const ours = await loadScorer(modelName, model.readFile, variant, ort, {
    executionProviders: ['cpu'],
    intraOpNumThreads: THREADS,
  });
  const ourLoadMs = performance.now() - t;

  const counter = { calls: 0 };
  const report: PeerRunReport = await runPeerComparison(
    request,
    ourSide(ours.tokenizer, ours.classifier, counter, { realBoundaries: large }),
    peerSide(promptCompressor),
    counter,
    (line) => process.stderr.write(`  … ${line}\n`),
  );
  header(
    'Node, onnxruntime-node 1.30.0 CPU on both sides (the peer through transformers.js 4.3.1)',
  );
  console.log(`  load: ours ${ourLoadMs.toFixed(0)} ms, peer ${peerLoadMs.toFixed(0)} ms`);
  const tokens = ours.tokenizer.tokenize(texts[request.latencyText]!).length;
  for (const line of formatPeerReport(report, request, tokens)) console.log(line);
  await ours.classifier.release();
  if (report.identical !== report.compared) process.exitCode = 1;
}

if (flags.browser && large) {
  console.error(
    'bench:peer: --large runs in Node only (2.24 GB of weights, twice, in one tab is past what a tab holds).',
  );
  process.exit(2);
} else if (flags.browser) {
  const { browserMain } = await import('./peer/browser.ts');
  ensureModel();
  const browserTexts = Number(process.env.BENCH_BROWSER_TEXTS ?? 30);
  await browserMain(request, { modelsDir, modelName, threads: THREADS, header, browserTexts });
} else {
  ensureModel();
  await nodeMain();
}
