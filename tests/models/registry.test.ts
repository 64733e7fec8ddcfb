/**
 * The one model registry (models/manifest.json through src/core/models/registry.ts): consistent
 * ids and links, shipped files that match their recorded sizes and hashes, hub entries never on a
 * branch, and look-ups that fail with the known ids.
 */
import { modelFolderUrl } from '../../src/runtime/hub/model-manifest.ts';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MODELS,
  GENERATION_MODELS,
  MODELS,
  findModel,
  findReferenceModel,
  findScorer,
  hashSource,
  modelBytes,
  modelVariants,
  sourceUrl,
  modelLabel,
  modelNotes,
  referenceModels,
  scorerModels,
} from '../../src/core/models/registry.ts';
import { repoRoot } from '../helpers/fixtures.ts';

describe('the model registry', () => {
  it('has unique ids, and every link names an entry of the right kind', () => {
    const ids = MODELS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of GENERATION_MODELS) {
      if (m.baselineOf) expect(findModel(m.baselineOf).kind, m.id).toBe('causal-lm');
      if (m.engine === 'webllm' && m.fallbackId)
        expect(findModel(m.fallbackId)).toMatchObject({
          engine: 'webllm',
          quantization: 'q4f32_1',
        });
    }
    expect(findScorer(DEFAULT_MODELS.scorer).kind).toBe('token-classifier');
    expect(findModel(DEFAULT_MODELS.generation).kind).toBe('causal-lm');
    expect(findReferenceModel(DEFAULT_MODELS.reference).engine).toBe('onnx');
  });

  it('describes scorers, reference models and generation models in one list', () => {
    expect(scorerModels().map((m) => m.id)).toContain('llmlingua-2-xlm-roberta-large-meetingbank');
    expect(referenceModels().map((m) => m.id)).toEqual(
      expect.arrayContaining(['mini-base', 'mini-tokenskip', 'tiny-qwen2']),
    );
    expect(GENERATION_MODELS.map((m) => m.id)).toContain('Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
    expect(referenceModels().every((m) => GENERATION_MODELS.includes(m))).toBe(true);
  });

  it('lists every shipped file with its exact size and sha256', () => {
    for (const m of MODELS) {
      if (m.source.type !== 'path') continue;
      expect(m.files.length, m.id).toBeGreaterThan(0);
      for (const f of m.files) {
        const data = readFileSync(path.join(repoRoot, m.source.path, f.path));
        expect(data.byteLength, `${m.id}/${f.path}`).toBe(f.size);
        expect(createHash('sha256').update(data).digest('hex'), `${m.id}/${f.path}`).toBe(f.sha256);
      }
      expect(modelBytes(m).exact).toBe(true);
    }
  });

  it('names the ONNX graph of every backend among the files', () => {
    for (const m of MODELS) {
      if (!('onnx' in m) || m.files.length === 0) continue;
      const files = new Set(m.files.map((f) => f.path));
      for (const v of Object.values(m.onnx)) {
        for (const f of [v.file, ...(v.externalData ?? [])])
          expect(files.has(f), `${m.id}: ${f}`).toBe(true);
      }
    }
  });

  it('never follows a branch: a hub revision is a commit or absent (resolved once, recorded)', () => {
    for (const m of MODELS) {
      if (m.source.type === 'hub' && m.source.revision !== undefined)
        expect(m.source.revision, m.id).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  it('builds folder URLs: app-relative for shipped models, a commit on the hub', () => {
    expect(modelFolderUrl(findModel('mini-base'))).toBe('/models/mini/base/');
    expect(
      modelFolderUrl(findModel('Qwen2.5-0.5B-Instruct-onnx'), { revision: 'c'.repeat(40) }),
    ).toBe(
      `https://huggingface.co/onnx-community/Qwen2.5-0.5B-Instruct/resolve/${'c'.repeat(40)}/`,
    );
    expect(() => modelFolderUrl(findModel('Qwen2.5-0.5B-Instruct-onnx'))).toThrow(
      /resolve it first/,
    );
  });

  it('names every model in Chinese for the 中文 UI, and falls back to English where a text is missing', () => {
    const han = /[\u4e00-\u9fff]/;
    for (const m of MODELS) {
      expect(modelLabel(m, 'zh'), m.id).toMatch(han);
      expect(modelLabel(m, 'en'), m.id).toBe(m.label);
    }
    // Every generation model's notes (the Generate page shows them) exist in both languages.
    for (const m of GENERATION_MODELS) {
      expect(modelNotes(m, 'zh'), m.id).toEqual({ text: expect.stringMatching(han), lang: 'zh' });
      expect(modelNotes(m, 'en'), m.id).toEqual({ text: m.notes, lang: 'en' });
    }
    const scorer = findScorer('tiny-lingua-mbert');
    expect(modelNotes(scorer, 'zh')).toEqual({ text: scorer.notes, lang: 'en' });
    const bare = { ...scorer, zh: undefined, notes: undefined };
    expect(modelLabel(bare, 'zh')).toBe(scorer.label);
    expect(modelNotes(bare, 'zh')).toBeUndefined();
  });

  it('fails a look-up with the known ids', () => {
    expect(() => findModel('nope')).toThrow(/Unknown model 'nope'\. Known models: mini-scorer, /);
    expect(() => findReferenceModel('mini-scorer')).toThrow(/Unknown reference model/);
  });

  it('says what each backend runs, how files are checked and where the model comes from', () => {
    const mbert = findModel('llmlingua-2-bert-base-multilingual-cased-meetingbank');
    expect(modelVariants(mbert)).toEqual([
      { backend: 'webgpu', dtype: 'fp32', file: 'onnx/model.onnx' },
      { backend: 'wasm', dtype: 'int8', file: 'onnx/model_quantized.onnx' },
      { backend: 'node', dtype: 'int8', file: 'onnx/model_quantized.onnx' },
    ]);
    expect(modelVariants(findModel('Qwen2.5-0.5B-Instruct-q4f16_1-MLC'))).toEqual([
      { backend: 'webgpu', dtype: 'q4f16_1' },
    ]);
    expect(hashSource(findModel('mini-scorer'))).toBe('registry');
    expect(hashSource(mbert)).toBe('recorded-locally');
    expect(hashSource(findModel('Qwen2.5-0.5B-Instruct-q4f16_1-MLC'))).toBe('none');
    expect(sourceUrl(mbert)).toBe(
      'https://huggingface.co/ldenoue/llmlingua-2-bert-base-multilingual-cased-meetingbank/tree/d7070a9b381ca5297dd7bd5cf7704dde81470518',
    );
    expect(sourceUrl(findModel('mini-base'))).toBe('/models/mini/base/');
  });
});
