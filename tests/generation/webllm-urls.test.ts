/**
 * Our WebLLM URL rules against the installed @mlc-ai/web-llm: `cleanModelUrl` is not exported, so
 * its text is taken from the package's lib/index.js and run on the same inputs; the library URL is
 * checked against web-llm's own prebuilt records.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as webllm from '@mlc-ai/web-llm';
import {
  isPrebuiltLibName,
  resolveModelLib,
  webLlmModelBase,
  withResolveSegment,
} from '../../src/core/generation/webllm-urls.ts';
import { GENERATION_MODELS } from '../../src/core/models/registry.ts';

const source = readFileSync('node_modules/@mlc-ai/web-llm/lib/index.js', 'utf8');
const match = /function cleanModelUrl\(modelUrl\) \{[\s\S]*?\n\}/.exec(source);
const cleanModelUrl = new Function(`${match?.[0]}; return cleanModelUrl;`)() as (
  u: string,
) => string;

describe('WebLLM model folder rule', () => {
  it('is the installed web-llm cleanModelUrl on hub, self-hosted and pinned URLs', () => {
    expect(match).not.toBeNull();
    for (const url of [
      'https://huggingface.co/mlc-ai/Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      'https://huggingface.co/mlc-ai/Qwen2.5-0.5B-Instruct-q4f16_1-MLC/',
      'http://127.0.0.1:4331/models/TokenSkip-x-MLC',
      'http://127.0.0.1:4331/models/TokenSkip-x-MLC/resolve/main/',
      'https://host/m/resolve/0123abc',
      'https://host/resolve/m',
    ]) {
      expect(webLlmModelBase(url, 'http://app/'), url).toBe(cleanModelUrl(url));
    }
    // Self-hosted, not only the hub, gets the suffix.
    expect(withResolveSegment('/models/TokenSkip-x-MLC')).toBe(
      '/models/TokenSkip-x-MLC/resolve/main/',
    );
  });

  it('gives every self-hosted record an explicit /resolve/main/ folder', () => {
    for (const r of GENERATION_MODELS) {
      if (r.engine !== 'webllm') continue;
      // Our records say where WebLLM reads, rather than relying on the appended suffix.
      if (r.model.startsWith('/')) expect(withResolveSegment(r.model), r.id).toBe(r.model);
    }
  });
});

describe('WebLLM model libraries', () => {
  it("resolves prebuilt names with web-llm's exported prefix and version", () => {
    const info = { modelLibURLPrefix: webllm.modelLibURLPrefix, modelVersion: webllm.modelVersion };
    const prebuilt = new Set(webllm.prebuiltAppConfig.model_list.map((m) => m.model_lib));
    for (const r of GENERATION_MODELS) {
      if (r.engine !== 'webllm') continue;
      expect(isPrebuiltLibName(r.modelLib), r.id).toBe(true);
      expect(prebuilt.has(resolveModelLib(r.modelLib, 'http://app/', info)), r.id).toBe(true);
    }
    expect(resolveModelLib('/libs/x.wasm', 'http://app/', info)).toBe('http://app/libs/x.wasm');
    expect(resolveModelLib('https://h/x.wasm', 'http://app/', info)).toBe('https://h/x.wasm');
  });
});
