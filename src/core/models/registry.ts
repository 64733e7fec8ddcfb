/**
 * The one model registry: every model the app and the CLI know, read from `models/manifest.json`
 * (the data; this module holds the types and the look-ups). Three kinds of entries:
 *
 * - `token-classifier`: LLMLingua-2 scorers (ONNX; `family` is the tokenizer family).
 * - `causal-lm` + `engine: 'onnx'`: causal LMs in the transformers.js layout. They generate (the
 *   Generate and Benchmark pages) and serve as CTS / perplexity reference models (`--ref-model`).
 * - `causal-lm` + `engine: 'webllm'`: MLC weights plus a prebuilt WebLLM library (generation only).
 *   `family` of a causal LM is its prompt family.
 *
 * Every entry has `source` (`path`: shipped in this repo, "bundled"; `hub`: a Hugging Face repo,
 * pinned to a commit or, where the commit is not known yet, resolved once at the first download
 * and recorded locally, never followed as a branch; `served`: self-hosted by the app under /models/)
 * and `files` (path, size, sha256 where known; without sha256 the size is approximate and the hash
 * is recorded at the first download: "hash recorded locally").
 *
 *   import { MODELS, findModel, findScorer, scorerModels, referenceModels, GENERATION_MODELS,
 *     DEFAULT_MODELS, modelBytes, modelVariants, hashSource, sourceUrl }
 *     from '../core/models/registry.ts';
 *   findModel('mini-base').kind;                 // 'causal-lm'
 *   referenceModels().map((m) => m.id);           // every ONNX causal LM (CTS reference models)
 *   modelBytes(findModel('mini-base'));           // { bytes: 7316236, exact: true, known: true }
 *   modelVariants(findModel('llmlingua-2-bert-base-multilingual-cased-meetingbank'));
 *                                                 // [{ backend: 'webgpu', dtype: 'fp32', ... }, ...]
 *   hashSource(entry);                            // 'registry' | 'recorded-locally' | 'none'
 *   sourceUrl(entry);                             // hub page at the pinned commit, or the folder
 *
 * Look-ups throw TokenSkipError MODEL_NOT_FOUND listing the known ids. Runtime helpers (revision
 * resolution, file URLs on a hub or mirror) live in src/runtime/hub/.
 */
import manifestJson from '../../../models/manifest.json' with { type: 'json' };
import { TokenSkipError } from '../errors.ts';
import type { TokenizerFamily } from '../compression/scorer-tokenizer.ts';
import type { PromptFamily } from '../prompts/formats.ts';

export type Backend = 'webgpu' | 'wasm' | 'node';

export interface ManifestFile {
  path: string;
  /** Bytes; exact when `sha256` is given, otherwise approximate (from the hub listing). */
  size: number;
  sha256?: string;
}

export interface OnnxVariant {
  file: string;
  dtype: 'fp32' | 'fp16' | 'int8' | 'q4' | 'q4f16';
  /** External-data files next to the graph (models over 2 GB). */
  externalData?: string[];
  /** An fp16 graph to run instead where the GPU has `shader-f16` (WebGPU only): half the bytes. */
  fp16?: OnnxVariant;
}

/**
 * Where a model's files come from. A hub source is pinned to a commit (`revision`, never a branch);
 * where the commit is not known yet, `revision` is absent: the commit `main` points to is resolved
 * at the first download (`resolveRevision`), recorded locally, and every later load stays on it.
 */
export type ModelSource =
  | { type: 'path'; path: string }
  | { type: 'hub'; repo: string; revision?: string }
  | { type: 'served'; url: string };

/** A language of the app's UI; the registry's `label` and `notes` are English. */
export type TextLocale = 'en' | 'zh';

/** An entry's label and notes in another language of the app. */
export interface EntryText {
  label?: string;
  notes?: string;
}

interface EntryBase {
  id: string;
  label: string;
  source: ModelSource;
  files: ManifestFile[];
  /** The PyTorch model this export comes from. */
  upstream?: string;
  notes?: string;
  /** The 中文 UI's label and notes (English is the fallback for what is missing). */
  zh?: EntryText;
}

export interface ScorerManifestEntry extends EntryBase {
  kind: 'token-classifier';
  family: TokenizerFamily;
  onnx: Record<Backend, OnnxVariant>;
}

interface CausalBase extends EntryBase {
  kind: 'causal-lm';
  family: PromptFamily;
  /** Trained with the γ marker (γ < 1 means something to it). */
  tokenskip: boolean;
  /** The TokenSkip model this original model is the γ = 1 baseline for. */
  baselineOf?: string;
  /** One line for the model picker. */
  notes: string;
}

/** A causal LM in the transformers.js layout (config.json, tokenizer.json, onnx/<graph>). */
export interface OnnxModelRecord extends CausalBase {
  engine: 'onnx';
  /** Graph per backend; WebGPU fp16 graphs need `shader-f16`, so WASM gets an fp32/q4 one. */
  onnx: Record<Backend, OnnxVariant>;
  /** Set where the WebGPU graph is fp16. */
  webgpuRequiresShaderF16?: boolean;
}

/**
 * MLC weights plus a prebuilt WebLLM model library. A TokenSkip model is a LoRA-merged fine-tune of
 * the same architecture, so it reuses the base model's library and only its weights differ.
 */
export interface WebLlmModelRecord extends CausalBase {
  engine: 'webllm';
  /**
   * WebLLM `model`: URL of the MLC weights folder, may be app-relative (the adapter makes it
   * absolute). WebLLM reads `<model>/resolve/main/` unless the URL has a `/resolve/<x>/` segment
   * (see webllm-urls.ts), so self-hosted records name that segment explicitly. For a hub entry
   * without a revision the app loads `<hub>/<repo>/resolve/<commit>/` instead, the commit `main`
   * pointed to at the first load (generation-engines.ts), so WebLLM never follows the branch.
   */
  model: string;
  /** A prebuilt library file name of the installed web-llm (resolved at load), or a library URL. */
  modelLib: string;
  quantization: 'q4f16_1' | 'q4f32_1';
  vramRequiredMB: number;
  requiredFeatures: string[];
  /** The q4f32_1 record to use when the GPU lacks `shader-f16`. */
  fallbackId?: string;
  contextWindowSize: number;
}

export type GenerationModelRecord = OnnxModelRecord | WebLlmModelRecord;
export type ModelEntry = ScorerManifestEntry | GenerationModelRecord;

export interface ModelManifest {
  version: 2;
  /** The models every page and command uses unless told otherwise. */
  defaults: { scorer: string; generation: string; reference: string };
  models: ModelEntry[];
}

/** Where `hub` sources live unless HF_ENDPOINT (Node) says otherwise: the one place it is written. */
export const DEFAULT_HUB = 'https://huggingface.co';

/** The registry as shipped (models/manifest.json). */
export const REGISTRY = manifestJson as ModelManifest;
export const MODELS: readonly ModelEntry[] = REGISTRY.models;
export const DEFAULT_MODELS = REGISTRY.defaults;

function notFound(what: string, id: string, known: readonly { id: string }[], hint = ''): never {
  throw new TokenSkipError('MODEL_NOT_FOUND', {
    id: 'unknownModel',
    params: { what, id, known: known.map((m) => m.id).join(', '), hint },
  });
}

/** The entry `id` among `models`, or MODEL_NOT_FOUND naming `what` and listing the known ids. */
function findAmong<T extends { id: string }>(
  id: string,
  models: readonly T[],
  what: string,
  hint = '',
): T {
  return models.find((m) => m.id === id) ?? notFound(what, id, models, hint);
}

/** The entry's label in `locale`, else its English label. */
export function modelLabel(entry: ModelEntry, locale: TextLocale): string {
  return (locale === 'zh' ? entry.zh?.label : undefined) ?? entry.label;
}

/** The entry's notes in `locale`, else the English ones; `lang` says which language they are in. */
export function modelNotes(
  entry: ModelEntry,
  locale: TextLocale,
): { text: string; lang: TextLocale } | undefined {
  const translated = locale === 'zh' ? entry.zh?.notes : undefined;
  if (translated) return { text: translated, lang: locale };
  return entry.notes ? { text: entry.notes, lang: 'en' } : undefined;
}

export function isScorer(entry: ModelEntry): entry is ScorerManifestEntry {
  return entry.kind === 'token-classifier';
}

export function isOnnxCausal(entry: ModelEntry): entry is OnnxModelRecord {
  return entry.kind === 'causal-lm' && entry.engine === 'onnx';
}

/** Any registry entry by id. */
export function findModel(id: string, models: readonly ModelEntry[] = MODELS): ModelEntry {
  return findAmong(id, models, 'model');
}

/** LLMLingua-2 scorers. */
export function scorerModels(models: readonly ModelEntry[] = MODELS): ScorerManifestEntry[] {
  return models.filter(isScorer);
}

export function findScorer(
  id: string,
  models: readonly ModelEntry[] = MODELS,
): ScorerManifestEntry {
  return findAmong(id, scorerModels(models), 'scorer model', '; or pass a model folder');
}

/** Causal LMs the app generates with (ONNX and WebLLM). */
export const GENERATION_MODELS: GenerationModelRecord[] = MODELS.filter(
  (m): m is GenerationModelRecord => m.kind === 'causal-lm',
);

export function findGenerationModel(
  id: string,
  models: readonly GenerationModelRecord[] = GENERATION_MODELS,
): GenerationModelRecord {
  return findAmong(id, models, 'generation model');
}

/** Causal LMs that can score CTS / perplexity: every ONNX causal LM. */
export function referenceModels(models: readonly ModelEntry[] = MODELS): OnnxModelRecord[] {
  return models.filter(isOnnxCausal);
}

export function findReferenceModel(
  id: string,
  models: readonly ModelEntry[] = MODELS,
): OnnxModelRecord {
  return findAmong(id, referenceModels(models), 'reference model', '; or pass a model folder');
}

/** Total bytes of an entry's files; `exact` when every file has a sha256 (its size is exact). */
export function modelBytes(entry: ModelEntry): { bytes: number; exact: boolean; known: boolean } {
  return {
    bytes: entry.files.reduce((sum, f) => sum + f.size, 0),
    exact: entry.files.every((f) => f.sha256 !== undefined),
    known: entry.files.length > 0,
  };
}

/** True for the shipped test fixtures (tiny random models, results mean nothing). */
export function isFixture(entry: ModelEntry): boolean {
  return entry.source.type === 'path' && entry.source.path.startsWith('models/fixtures/');
}

/** What each backend runs: the ONNX graph and dtype, or WebLLM's quantization on WebGPU. */
export function modelVariants(
  entry: ModelEntry,
): { backend: Backend; dtype: string; file?: string; externalData?: string[] }[] {
  if (entry.kind === 'causal-lm' && entry.engine === 'webllm')
    return [{ backend: 'webgpu', dtype: entry.quantization }];
  return (Object.entries(entry.onnx) as [Backend, OnnxVariant][]).map(([backend, v]) => ({
    backend,
    dtype: v.dtype,
    file: v.file,
    ...(v.externalData ? { externalData: v.externalData } : {}),
  }));
}

/**
 * How an entry's files are checked: `registry` (every file has a sha256 here: "verified"),
 * `recorded-locally` (no sha256 known: recorded at the first download, "hash recorded locally"),
 * `none` (no files listed: WebLLM weights, which WebLLM checks itself).
 */
export function hashSource(entry: ModelEntry): 'registry' | 'recorded-locally' | 'none' {
  if (entry.files.length === 0) return 'none';
  return entry.files.every((f) => f.sha256) ? 'registry' : 'recorded-locally';
}

/**
 * Where a person can see the model: the hub page at its pinned commit (the repo page when the
 * commit is resolved at first download), the app folder of a shipped model, or its served URL.
 */
/**
 * The files a variant loads, in the transformers.js layout: the config and tokenizer files, its
 * ONNX graph and its external data.
 */
export function variantFiles(variant: OnnxVariant): string[] {
  return [
    'config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    variant.file,
    ...(variant.externalData ?? []),
  ];
}

/** The graph to run on `backend`: its fp16 alternative when the GPU can run fp16 shaders. */
export function pickVariant(
  entry: ScorerManifestEntry,
  backend: Backend,
  shaderF16 = false,
): OnnxVariant {
  const variant = entry.onnx[backend];
  return backend === 'webgpu' && shaderF16 && variant.fp16 ? variant.fp16 : variant;
}

export function sourceUrl(entry: ModelEntry, hubHost = DEFAULT_HUB): string {
  const { source } = entry;
  if (source.type === 'path') return `/${source.path.replace(/\/+$/, '')}/`;
  if (source.type === 'served') return source.url;
  return `${hubHost}/${source.repo}${source.revision ? `/tree/${source.revision}` : ''}`;
}
