/**
 * The trainer pipeline end to end on CPU with a tiny random Qwen2 model this test creates:
 * collect (in-process ONNX engine) -> compress (`tokenskip compress` with the fixture scorer) ->
 * build -> train (loss goes down; resume) -> merge -> export ONNX (the app's ONNX engine and a plain
 * onnxruntime-node loop give PyTorch's greedy tokens) -> export MLC -> eval. Needs a Python with torch
 * (Debian python3-torch in CI); skipped with a message otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { main } from '../../src/node/cli.ts';
import {
  findPython,
  trainerEnv,
  trainerModuleArgs,
  type PythonInfo,
} from '../../src/node/pipeline/python.ts';
import { loadModelInfo, encode } from '../../src/node/pipeline/tokenizer.ts';
import { inferencePrompt } from '../../src/core/prompts/tokenskip-format.ts';
import { createNodeOnnxEngine } from '../../src/runtime/node/onnx-engine-node.ts';

const root = mkdtempSync(join(tmpdir(), 'pipeline-'));
const base = join(root, 'base');
let py: PythonInfo | undefined;
let skipReason = '';
try {
  py = await findPython();
} catch (error) {
  skipReason = (error as Error).message;
}

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    stdin: process.stdin,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  } as never;
  return main(args, io).then((code) => ({ code, out: out.join(''), err: err.join('') }));
}
const lastJson = (s: string) =>
  JSON.parse(s.trim().split('\n').pop() as string) as Record<string, unknown>;

beforeAll(async () => {
  if (!py) throw new Error(`The trainer pipeline needs Python with torch: ${skipReason}`);
  execFileSync(
    py.executable,
    trainerModuleArgs('tiny', [
      base,
      '--layers',
      '2',
      '--hidden',
      '32',
      '--heads',
      '4',
      '--kv-heads',
      '2',
      '--intermediate',
      '64',
      '--seed',
      '1',
    ]),
    { env: trainerEnv() },
  );
  const traces = [];
  for (let i = 0; i < 20; i++) {
    const a = 3 + i;
    const b = 2 * i + 1;
    traces.push({
      id: `t${i}`,
      question: `Tom has ${a} apples and buys ${b} more. How many now?`,
      answer: String(a + b),
      cot: `Tom starts with ${a} apples. He buys ${b} more apples. So he has ${a} + ${b} = ${a + b} apples.`,
    });
  }
  writeFileSync(join(root, 'traces.jsonl'), traces.map((t) => JSON.stringify(t)).join('\n') + '\n');
  // compress: the real `tokenskip compress` (LLMLingua-2 algorithm) with the fixture scorer.
  for (const g of [0.9, 0.8, 0.7, 0.6, 0.5]) {
    const args = ['compress', '--in', join(root, 'traces.jsonl'), '--field', 'cot'];
    const r = await cli([
      ...args,
      '--out',
      join(root, `c${g}.jsonl`),
      '--rate',
      String(g),
      '--model',
      'tiny-lingua-xlmr',
    ]);
    if (r.code !== 0) throw new Error(`tokenskip compress failed: ${r.err}`);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

// No Python with torch is a failure, not a skip: CI installs Debian's python3-torch (.ci/run).
describe(`trainer pipeline on a tiny Qwen2 (CPU)${skipReason ? ` — cannot run: ${skipReason}` : ''}`, () => {
  it('collect -> build -> train -> merge -> export onnx + mlc -> eval', async () => {
    // --- collect with the in-process ONNX engine (a random model answers wrong: nothing is kept) ---
    const baseOnnx = join(root, 'base-onnx');
    expect((await cli(['export', 'onnx', '--model', base, '--out', baseOnnx])).code).toBe(0);
    const qs = join(root, 'questions.jsonl');
    const questions = [
      ['1+1', 2],
      ['2+3', 5],
      ['4+4', 8],
    ];
    writeFileSync(
      qs,
      questions
        .map(([q, a], i) => JSON.stringify({ id: i, question: `What is ${q}?`, answer: String(a) }))
        .join('\n') + '\n',
    );
    const c = await cli([
      'collect',
      '--json',
      '--input',
      qs,
      '--model-dir',
      base,
      '--onnx-model',
      baseOnnx,
      '--max-tokens',
      '8',
      '--out',
      join(root, 'collected.jsonl'),
    ]);
    // Nothing kept is an error, and no trace file is written (the journal keeps the answers).
    expect(c.code).not.toBe(0);
    expect(c.err).toMatch(/no trace kept: 3 of 3 answers were wrong/);
    expect(existsSync(join(root, 'collected.jsonl'))).toBe(false);
    const journal = readFileSync(join(root, 'collected.jsonl.journal.jsonl'), 'utf8');
    expect(journal.trim().split('\n')).toHaveLength(3);

    // --- build (from synthetic traces standing in for a real model's correct ones) ---
    const data = join(root, 'build');
    const compressed = [0.9, 0.8, 0.7, 0.6, 0.5].flatMap((g) => [
      '--compressed',
      `${g}:${join(root, `c${g}.jsonl`)}`,
    ]);
    const b = await cli([
      'build',
      '--json',
      '--model',
      base,
      '--traces',
      join(root, 'traces.jsonl'),
      ...compressed,
      '--out',
      data,
      '--seed',
      '42',
    ]);
    expect(b.code, b.err).toBe(0);
    expect(lastJson(b.out)).toMatchObject({ train: 18, val: 2, dropped_over_cutoff: 0 });
    const train = readFileSync(join(data, 'train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const info = await loadModelInfo(base);
    const rec = train.find((r: { gamma: number }) => r.gamma < 1) as {
      gamma: number;
      input: string;
      output: string;
      input_ids: number[];
      labels: number[];
    };
    expect(rec.input).toMatch(new RegExp(`<\\|eot_id\\|>${rec.gamma}<\\|eot_id\\|>$`));
    expect(rec.output).toMatch(/\n\nThe final answer is: \$\\boxed\{\d+\}\$$/);
    // The response is the LLMLingua-2-compressed CoT of that trace at its γ.
    const compressedAt = readFileSync(join(root, `c${rec.gamma}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { compressed_prompt: string }).compressed_prompt);
    expect(compressedAt).toContain(rec.output.split('\n\nThe final answer is:')[0]);
    const promptLen = rec.labels.findIndex((l) => l !== -100);
    expect(info.tokenizer.decode(rec.input_ids.slice(0, promptLen))).toBe(
      inferencePrompt('qwen2', rec.input.split('<|eot_id|>')[0]!, rec.gamma),
    );
    expect(info.tokenizer.decode(rec.labels.slice(promptLen))).toBe(`${rec.output}<|im_end|>\n`);
    const alpaca = JSON.parse(
      readFileSync(join(data, 'llamafactory', 'tokenskip_train.json'), 'utf8'),
    );
    expect(alpaca[0]).toEqual({
      instruction: train[0].instruction,
      input: train[0].input,
      output: train[0].output,
    });
    expect(JSON.parse(readFileSync(join(data, 'manifest.json'), 'utf8')).inputs).toHaveLength(7);
    const again = await cli([
      'build',
      '--model',
      base,
      '--traces',
      join(root, 'traces.jsonl'),
      ...compressed,
      '--out',
      data,
      '--seed',
      '42',
    ]);
    expect(again.err).toMatch(/up to date/);

    // --- train: two steps, then the same command resumes to the end ---
    const run = join(root, 'run');
    const hp = [
      '--json',
      '--base',
      base,
      '--data',
      data,
      '--out',
      run,
      '--batch',
      '4',
      '--epochs',
      '2',
      '--lr',
      '2e-2',
      '--save-every',
      '2',
    ];
    const t1 = await cli(['train', ...hp, '--max-steps', '2']);
    expect(t1.code, t1.err).toBe(0);
    const t2 = await cli(['train', ...hp]);
    expect(t2.code, t2.err).toBe(0);
    expect(t2.err).toMatch(/resuming from .*step-000002/);
    // 18 records, batch 4: 5 optimizer steps per epoch (the last one accumulates 2), 10 in all.
    const first = lastJson(t1.out).losses as number[];
    const rest = lastJson(t2.out).losses as number[];
    expect(first).toHaveLength(2);
    expect(rest).toHaveLength(8);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(rest.slice(-2))).toBeLessThan(mean(first) * 0.9);
    expect(existsSync(join(run, 'adapter', 'adapter_model.safetensors'))).toBe(true);
    expect(JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8')).command).toBe('train');

    // --- merge ---
    const merged = join(root, 'merged');
    const m = await cli(['merge', '--json', '--base', base, '--adapter', run, '--out', merged]);
    expect(m.code, m.err).toBe(0);
    expect(lastJson(m.out)).toMatchObject({ merged_modules: 14 });

    // --- export ONNX, then greedy decoding in onnxruntime-node against PyTorch ---
    const onnxDir = join(root, 'onnx');
    const e = await cli(['export', 'onnx', '--model', merged, '--out', onnxDir]);
    expect(e.code, e.err).toBe(0);
    const prompt = encode(
      info.tokenizer,
      inferencePrompt('qwen2', 'Tom has 5 apples and buys 3 more. How many now?', 0.7),
    );
    const torchOut = JSON.parse(
      execFileSync(
        py!.executable,
        trainerModuleArgs('generate', [
          '--model',
          merged,
          '--ids',
          prompt.join(','),
          '--max-new',
          '12',
        ]),
        { env: trainerEnv() },
      ).toString(),
    ) as { tokens: number[] };
    const ortTokens = await greedyOrt(join(onnxDir, 'onnx', 'model.onnx'), prompt, 12, 2, 2, 8);
    expect(ortTokens).toEqual(torchOut.tokens);
    // The app's ONNX engine gives the same tokens (it may stop early at an end-of-turn token).
    const engine = createNodeOnnxEngine(onnxDir);
    await engine.load();
    const q = 'Tom has 5 apples and buys 3 more. How many now?';
    const gen = await engine.generate(inferencePrompt('qwen2', q, 0.7), { maxNewTokens: 12 });
    expect(gen.tokenIds!.length).toBeGreaterThan(0);
    expect(gen.tokenIds).toEqual(torchOut.tokens.slice(0, gen.tokenIds!.length));
    await engine.unload();

    // --- export MLC ---
    const mlc = join(root, 'mlc');
    const x = await cli([
      'export',
      'mlc',
      '--model',
      merged,
      '--out',
      mlc,
      '--quantization',
      'q4f32_1',
    ]);
    expect(x.code, x.err).toBe(0);
    for (const f of [
      'tensor-cache.json',
      'ndarray-cache.json',
      'mlc-chat-config.json',
      'tokenizer.json',
      'params_shard_0.bin',
      'manifest.json',
    ]) {
      // WebLLM reads <url>/resolve/main/: the weights are laid out that way, the manifest on top.
      expect(existsSync(join(mlc, f === 'manifest.json' ? '' : 'resolve/main', f)), f).toBe(true);
    }

    // --- eval over two γ values with the in-process engine ---
    const evalOut = join(root, 'eval.json');
    const ev = await cli([
      'eval',
      '--input',
      qs,
      '--model-dir',
      merged,
      '--onnx-model',
      onnxDir,
      '--gammas',
      '1,0.5',
      '--max-tokens',
      '8',
      '--out',
      evalOut,
    ]);
    expect(ev.code, ev.err).toBe(0);
    const report = JSON.parse(readFileSync(evalOut, 'utf8')).results as {
      gamma: number;
      cot_tokens: number;
    }[];
    expect(report.map((r) => r.gamma)).toEqual([1, 0.5]);
    expect(report[0]!.cot_tokens).toBeGreaterThan(0);
  }, 240_000);

  it('reports a base model folder with missing weights before training', async () => {
    const broken = join(root, 'broken');
    execFileSync('cp', ['-r', base, broken]);
    rmSync(join(broken, 'model.safetensors'));
    const r = await cli([
      'train',
      '--base',
      broken,
      '--data',
      join(root, 'build'),
      '--out',
      join(root, 'run-broken'),
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no model\.safetensors/);
  });
});

/** Greedy decoding with the KV-cache graph, the way the app's ONNX engine feeds it. */
async function greedyOrt(
  path: string,
  prompt: number[],
  maxNew: number,
  layers: number,
  kvHeads: number,
  headDim: number,
): Promise<number[]> {
  const session = await ort.InferenceSession.create(path);
  const big = (xs: number[]) => BigInt64Array.from(xs.map((v) => BigInt(v)));
  let past: Record<string, ort.Tensor> = {};
  for (let i = 0; i < layers; i++) {
    for (const kv of ['key', 'value'])
      past[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [
        1,
        kvHeads,
        0,
        headDim,
      ]);
  }
  let ids = prompt;
  let pos = 0;
  const out: number[] = [];
  for (let step = 0; step < maxNew; step++) {
    const total = pos + ids.length;
    const feeds = {
      input_ids: new ort.Tensor('int64', big(ids), [1, ids.length]),
      attention_mask: new ort.Tensor('int64', big(Array(total).fill(1)), [1, total]),
      position_ids: new ort.Tensor('int64', big(ids.map((_, k) => pos + k)), [1, ids.length]),
      ...past,
    };
    const res = await session.run(feeds);
    const logits = res.logits!.data as Float32Array;
    const vocab = res.logits!.dims[2]!;
    const last = logits.subarray((ids.length - 1) * vocab, ids.length * vocab);
    let best = 0;
    for (let v = 1; v < vocab; v++) if (last[v]! > last[best]!) best = v;
    out.push(best);
    past = {};
    for (let i = 0; i < layers; i++) {
      for (const kv of ['key', 'value'])
        past[`past_key_values.${i}.${kv}`] = res[`present.${i}.${kv}`]!;
    }
    pos = total;
    ids = [best];
  }
  return out;
}
