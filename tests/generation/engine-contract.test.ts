/**
 * The GenerationEngine contract, run against both adapters: the ONNX engine on the real tiny-qwen2
 * fixture through onnxruntime-node, and the WebLLM adapter on a recording MLCEngine typed as
 * WebLLM's own interface. Then what is specific to each: golden token ids (ONNX against PyTorch's
 * greedy decode, written by scripts/make_causal_fixture.py) and the exact WebLLM request.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TokenSkipError } from '../../src/core/errors.ts';
import type {
  GenerationEngine,
  GenerationEvent,
  GenerationResult,
  LoadProgress,
} from '../../src/core/generation/engine.ts';
import {
  GENERATION_MODELS,
  findGenerationModel,
  type WebLlmModelRecord,
} from '../../src/core/models/registry.ts';
import { PROMPT_FORMATS, buildPrompt } from '../../src/core/prompts/index.ts';
import { createNodeOnnxEngine } from '../../src/runtime/engines/onnx/node.ts';
import * as webllm from '@mlc-ai/web-llm';
import {
  classifyLoadError,
  createWebLlmEngine,
} from '../../src/runtime/engines/webllm/webllm-engine.ts';
import { createFakeMlcEngine } from './fake-mlc-engine.ts';

const FIXTURE = 'models/fixtures/tiny-qwen2';
interface Golden {
  question: string;
  gamma: number;
  prompt: string;
  prompt_ids: number[];
  max_new_tokens: number;
  output_ids: number[];
  output_text: string;
}
const golden = JSON.parse(readFileSync(`${FIXTURE}/golden.json`, 'utf8')) as Golden[];
const stop = PROMPT_FORMATS['qwen2.5-instruct'].stop;
const prompt = buildPrompt('qwen2.5-instruct', golden[0]!.question, 0.5);

function collect() {
  const events: GenerationEvent[] = [];
  return { events, on: (e: GenerationEvent) => events.push(e) };
}

async function rejection(p: Promise<unknown>): Promise<TokenSkipError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TokenSkipError);
    return e as TokenSkipError;
  }
  throw new Error('expected a rejection');
}

function checkEvents(events: GenerationEvent[], result: GenerationResult) {
  const kinds = events.map((e) => e.type);
  const tail = kinds.slice(-2);
  expect(tail).toEqual(['usage', 'done']);
  expect(kinds.slice(0, -2).every((k) => k === 'token')).toBe(true);
  const streamed = events.flatMap((e) => (e.type === 'token' ? [e.text] : [])).join('');
  expect(streamed).toBe(result.text);
  const u = result.usage;
  expect(u.promptTokens).toBeGreaterThan(0);
  expect(u.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
  expect(u.e2eLatencyMs).toBeGreaterThanOrEqual(u.timeToFirstTokenMs);
}

const webllmRecord = findGenerationModel(
  'TokenSkip-Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
) as WebLlmModelRecord;
const scriptedText = golden[0]!.output_text;
// The fake "model" streams the fixture's own golden text, a few characters per chunk.
const fakeScript = () => scriptedText.match(/[\s\S]{1,3}/g) ?? [];

const adapters: { name: string; make: () => GenerationEngine }[] = [
  { name: 'onnx (onnxruntime-node, tiny-qwen2)', make: () => createNodeOnnxEngine(FIXTURE) },
  {
    name: 'webllm (recording MLCEngine)',
    make: () =>
      createWebLlmEngine({
        record: webllmRecord,
        models: GENERATION_MODELS,
        appBase: 'http://127.0.0.1:4317/',
        gpuFeatures: async () => new Set(['shader-f16']),
        createEngine: createFakeMlcEngine(fakeScript).createEngine,
      }),
  },
];

describe.each(adapters)('GenerationEngine contract: $name', ({ make }) => {
  it('refuses to generate before load, with an error event and a typed rejection', async () => {
    const engine = make();
    const { events, on } = collect();
    const e = await rejection(engine.generate(prompt, { maxNewTokens: 4 }, on));
    expect(e.code).toBe('MODEL_NOT_FOUND');
    expect(events).toEqual([{ type: 'error', error: e.serialize() }]);
  });

  it('loads with progress, streams tokens, then usage and done', async () => {
    const engine = make();
    const progress: LoadProgress[] = [];
    const info = await engine.load((p) => progress.push(p));
    expect(info.kind).toBe(engine.kind);
    expect(progress.at(-1)?.progress).toBe(1);
    const { events, on } = collect();
    const result = await engine.generate(prompt, { maxNewTokens: 40, stop }, on);
    checkEvents(events, result);
    expect(result.text.length).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(result.finishReason);
    await engine.unload();
  });

  it('stops at maxNewTokens with finishReason "length"', async () => {
    const engine = make();
    await engine.load();
    const result = await engine.generate(prompt, { maxNewTokens: 3, stop });
    expect(result.finishReason).toBe('length');
    expect(result.usage.completionTokens).toBe(3);
  });

  it('cancels mid-stream: resolves "cancelled" with the partial text, no error', async () => {
    const engine = make();
    await engine.load();
    const full = await engine.generate(prompt, { maxNewTokens: 40, stop });
    const controller = new AbortController();
    const { events, on } = collect();
    const result = await engine.generate(
      prompt,
      { maxNewTokens: 40, stop, signal: controller.signal },
      (e) => {
        on(e);
        if (e.type === 'token' && events.filter((x) => x.type === 'token').length === 2)
          controller.abort();
      },
    );
    expect(result.finishReason).toBe('cancelled');
    checkEvents(events, result);
    expect(result.text.length).toBeLessThan(full.text.length);
    expect(full.text.startsWith(result.text)).toBe(true);
    // The engine is still usable afterwards.
    expect((await engine.generate(prompt, { maxNewTokens: 40, stop })).text).toBe(full.text);
  });

  it('returns at once for an already-aborted signal', async () => {
    const engine = make();
    await engine.load();
    const controller = new AbortController();
    controller.abort();
    const result = await engine.generate(prompt, { maxNewTokens: 40, signal: controller.signal });
    expect(result.finishReason).toBe('cancelled');
    expect(result.text).toBe('');
  });

  it('rejects a bad maxNewTokens and works again after unload + load', async () => {
    const engine = make();
    await engine.load();
    const e = await rejection(engine.generate(prompt, { maxNewTokens: 0 }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/maxNewTokens/);
    await engine.unload();
    expect((await rejection(engine.generate(prompt, { maxNewTokens: 2 }))).code).toBe(
      'MODEL_NOT_FOUND',
    );
    await engine.load();
    expect((await engine.generate(prompt, { maxNewTokens: 2 })).usage.completionTokens).toBe(2);
  });
});

describe('ONNX engine on the fixture', () => {
  it.each(golden.map((g, i) => ({ ...g, i })))(
    'matches PyTorch greedy ids (prompt $i, γ = $gamma)',
    async (g) => {
      const engine = createNodeOnnxEngine(FIXTURE);
      await engine.load();
      const result = await engine.generate(g.prompt, { maxNewTokens: g.max_new_tokens, stop });
      // golden.output_ids ends with <|im_end|> when the model stopped; the engine reports it as finishReason.
      const eos = 767;
      const expected = g.output_ids.filter((id) => id !== eos);
      expect(result.tokenIds).toEqual(expected);
      expect(result.text).toBe(g.output_text.replace('<|im_end|>', ''));
      expect(result.finishReason).toBe(g.output_ids.at(-1) === eos ? 'stop' : 'length');
      await engine.unload();
    },
  );

  it('stops on a stop string that is not a special token, and trims it', async () => {
    const engine = createNodeOnnxEngine(FIXTURE);
    await engine.load();
    const full = await engine.generate(prompt, { maxNewTokens: 40 });
    const cut = full.text.indexOf('\n');
    expect(cut).toBeGreaterThan(0);
    const result = await engine.generate(prompt, { maxNewTokens: 40, stop: ['\n'] });
    expect(result.finishReason).toBe('stop');
    expect(result.text).toBe(full.text.slice(0, cut));
  });

  it('ignoreEos runs to exactly maxNewTokens through stop strings (fixed-length benchmarks)', async () => {
    const engine = createNodeOnnxEngine(FIXTURE);
    await engine.load();
    const result = await engine.generate(prompt, {
      maxNewTokens: 40,
      stop: ['\n'],
      ignoreEos: true,
    });
    expect(result.finishReason).toBe('length');
    expect(result.usage.completionTokens).toBe(40);
    expect(result.text).toContain('\n');
  });

  it('fails to load a missing folder with a clear error', async () => {
    const e = await rejection(createNodeOnnxEngine('models/fixtures/no-such-model').load());
    expect(e.code).toBe('MODEL_FILE_MISSING');
    expect(e.message).toMatch(/config\.json|tokenizer/);
  });
});

describe('WebLLM adapter', () => {
  function setup(features: ReadonlySet<string> | null, record = webllmRecord) {
    const fake = createFakeMlcEngine(fakeScript);
    const engine = createWebLlmEngine({
      record,
      models: GENERATION_MODELS,
      appBase: 'http://127.0.0.1:4317/app/',
      gpuFeatures: async () => features,
      createEngine: fake.createEngine,
      seed: 7,
    });
    return { fake, engine };
  }

  it('registers an absolute custom record reusing the prebuilt Qwen2 library', async () => {
    const { fake, engine } = setup(new Set(['shader-f16']));
    const info = await engine.load();
    expect(info.modelId).toBe('TokenSkip-Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
    const [created] = fake.calls.created;
    expect(created?.modelId).toBe(info.modelId);
    const list = created?.config.appConfig?.model_list ?? [];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      model:
        'http://127.0.0.1:4317/models/TokenSkip-Qwen2.5-0.5B-Instruct-q4f16_1-MLC/resolve/main/',
      model_id: 'TokenSkip-Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      // Built from web-llm's own exports, so it moves with the installed version.
      model_lib: `${webllm.modelLibURLPrefix}${webllm.modelVersion}/Qwen2-0.5B-Instruct-q4f16_1_cs1k-webgpu.wasm`,
      required_features: ['shader-f16'],
    });
  });

  it('falls back to q4f32_1 without shader-f16, and refuses without WebGPU', async () => {
    const { fake, engine } = setup(new Set());
    const info = await engine.load();
    expect(info.modelId).toBe('TokenSkip-Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    expect(info.detail).toMatch(/fell back/);
    expect(fake.calls.created[0]?.config.appConfig?.model_list[0]?.required_features).toEqual([]);
    const none = setup(null);
    const e = await rejection(none.engine.load());
    expect(e.code).toBe('BACKEND_UNAVAILABLE');
    expect(e.message).toMatch(/ONNX engine/);
    expect(none.fake.calls.created).toHaveLength(0);
  });

  it('sends our raw prompt with explicit greedy settings, usage, and stop strings', async () => {
    const { fake, engine } = setup(new Set(['shader-f16']));
    await engine.load();
    const result = await engine.generate(prompt, { maxNewTokens: 99, stop });
    expect(fake.calls.requests[0]).toEqual({
      prompt,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 99,
      temperature: 0,
      top_p: 1,
      repetition_penalty: 1,
      frequency_penalty: 0,
      presence_penalty: 0,
      seed: 7,
      stop: ['<|im_end|>', '<|endoftext|>'],
    });
    expect(result.text).toBe(scriptedText);
    expect(result.usage).toMatchObject({ prefillTokensPerSecond: 1000, decodeTokensPerSecond: 50 });
    expect(result.usage.timeToFirstTokenMs).toBeGreaterThan(0);
  });

  it('keeps the cache after network errors (a retry resumes); drops it only on wrong content', async () => {
    const cleared: string[] = [];
    const failing = (error: Error) =>
      createWebLlmEngine({
        record: webllmRecord,
        models: GENERATION_MODELS,
        appBase: 'http://127.0.0.1:4317/',
        gpuFeatures: async () => new Set(['shader-f16']),
        createEngine: async () => {
          throw error;
        },
        clearCache: async (id) => {
          cleared.push(id);
        },
      });
    // What Chromium throws from cache.add / fetch when the network fails or the status is not 2xx.
    for (const e of [
      new TypeError('Failed to fetch'),
      new TypeError("Failed to execute 'add' on 'Cache': Request failed"),
      new Error('Cannot fetch http://h/m/resolve/main/params_shard_3.bin'),
      new DOMException('The user aborted a request.', 'AbortError'),
    ]) {
      const download = await rejection(failing(e).load());
      expect(download.code, e.message).toBe('DOWNLOAD_FAILED');
      expect(download.message).toMatch(/stay cached/);
    }
    expect(cleared).toEqual([]);
    // An HTML page served with status 200 where JSON or a library was expected (web-llm #289).
    const html = new SyntaxError(`Unexpected token '<', "<!doctype "... is not valid JSON`);
    const bad = await rejection(failing(html).load());
    expect(bad.code).toBe('MODEL_FILE_CORRUPT');
    const wasm = new Error('WebAssembly.instantiate(): expected magic word 00 61 73 6d');
    wasm.name = 'CompileError';
    expect((await rejection(failing(wasm).load())).code).toBe('MODEL_FILE_CORRUPT');
    expect(cleared).toEqual([
      'TokenSkip-Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      'TokenSkip-Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    ]);
    const lost = await rejection(failing(new Error('GPUDevice was lost')).load());
    expect(lost.code).toBe('BACKEND_UNAVAILABLE');
    expect(cleared).toHaveLength(2);
  });

  it('classifies load failures', () => {
    expect(classifyLoadError(new TypeError('Failed to fetch'))).toBe('network');
    expect(classifyLoadError(new SyntaxError('Unexpected end of JSON input'))).toBe('content');
    expect(classifyLoadError(new Error('ShaderF16SupportError'))).toBe('gpu');
    expect(classifyLoadError(new Error('something else'))).toBe('other');
  });

  it('turns abort into interruptGenerate()', async () => {
    const { fake, engine } = setup(new Set(['shader-f16']));
    await engine.load();
    const controller = new AbortController();
    const p = engine.generate(prompt, { maxNewTokens: 99, signal: controller.signal }, (e) => {
      if (e.type === 'token') controller.abort();
    });
    expect((await p).finishReason).toBe('cancelled');
    expect(fake.calls.interrupts).toBe(1);
  });
});
