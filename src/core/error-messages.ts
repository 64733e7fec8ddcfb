/**
 * The English message table of the errors that can reach a page: a stable id per message, with
 * `{{name}}` placeholders for its parameters (i18next's syntax, so the app renders the same table
 * and its 中文 twin, src/web/lib/locales/zh.ts `errorDetails`, with one call). The CLI prints the
 * English text built here; the app never parses it.
 *
 *   errorText({ id: 'benchN', params: { field: 'n', got: '"0"' } })
 *   // 'n must be a positive integer, got "0".'
 *
 * Parameters are data, never English prose: file names, URLs, numbers, field names as typed, or
 * another detail (rendered in the page's language). A `raw` parameter is third-party text (a
 * browser's or ONNX Runtime's own message): the English text quotes it, the 中文 table leaves it
 * out and the page offers the English original beside it.
 */

export const errorMessagesEn = {
  // γ (prompts/gamma.ts): the CLI's flags and fields, and the pages' URL parameters.
  gammaRange:
    '{{field}} must be a number in (0, 1] (the share of CoT tokens to keep), got {{got}}. Use 1 for the uncompressed CoT, or e.g. 0.6 to keep about 60% of it.',
  gammaTooSmall:
    '{{field}} {{got}} is too small to keep any token (1 − γ rounds to 1); give at least {{min}}, e.g. 0.1 to keep about 10% of the CoT.',
  gammaNotNumber:
    '{{field}} must be a number in (0, 1], got {{got}}. Write it as a decimal, e.g. 0.6.',
  gammaRangeUrl:
    '{{field}} in the URL must be a number in (0, 1] (the share of CoT tokens to keep), got {{got}}. Use 1 for the uncompressed CoT, or e.g. 0.6 to keep about 60% of it.',
  gammaTooSmallUrl:
    '{{field}} in the URL {{got}} is too small to keep any token (1 − γ rounds to 1); give at least {{min}}, e.g. 0.1 to keep about 10% of the CoT.',
  gammaNotNumberUrl:
    '{{field}} in the URL must be a number in (0, 1], got {{got}}. Write it as a decimal, e.g. 0.6.',
  gammaListEmpty:
    '{{field}} is empty. Give one or more γ values in (0, 1], separated by commas, e.g. 1,0.6.',
  gammaListDuplicate: '{{field}} lists γ = {{gamma}} twice. Give each value once.',

  // The Benchmark's settings and URL parameters (benchmark/plan.ts).
  benchMissing: '{{field}} is missing.',
  benchPositive: '{{field}} must be a positive integer, got {{got}}.',
  benchNonNegative: '{{field}} must be a non-negative integer, got {{got}}.',
  benchDataset: 'dataset must be gsm8k, math (MATH-500) or arith (TinyArith), got {{got}}.',
  benchBackend: 'backend must be auto, webgpu or wasm, got {{got}}.',
  benchGammasEmpty: 'gammas is empty: give at least one γ in (0, 1].',
  benchNTooLarge:
    "n = {{n}} is more than the dataset's {{size}} questions; give n from 1 to {{size}}.",
  benchNTooLargeShort: "n = {{n}} is more than the dataset's {{size}} questions.",
  benchModelEmpty: 'model is empty.',
  benchBaselineType: 'baseline must be a generation model id or none.',
  benchBaselineSelf:
    'baseline is the model itself ({{model}}); give the original model it was trained from, or baseline=none to measure against its own γ = 1 run.',

  // Texts to compress or score (compression/validate-text.ts, scoring/causal-scorer.ts).
  textNotString: '{{where}} must be a string, got {{got}}.',
  textEmpty: '{{where}} is empty or whitespace only: give a chain of thought to compress.',
  textTooLarge:
    '{{where}} has {{length}} characters; the limit is {{limit}}. Split it into several records.',
  whereCot: 'The chain of thought',
  questionEmpty: 'The question is empty. Type a question or pick one from a dataset.',
  promptEmpty: 'The prompt is empty: nothing to generate from.',
  ctsNeedsQuestion:
    "CTS with condition '{{condition}}' needs the question, but it is empty; give the question or pick another condition.",
  ctsNeedsAnswer:
    "CTS with condition '{{condition}}' needs the answer, but it is empty; give the answer or pick another condition.",
  ctsCotEmpty: 'The CoT to score with {{scorer}} is empty.',
  ctsCotTooLarge:
    'The CoT to score with {{scorer}} has {{length}} characters; the limit is {{limit}}. Split it into several texts.',
  ctsConditionOverWindow:
    'The CTS condition ({{condition}}) is {{tokens}} tokens, not shorter than the {{window}}-token window; shorten it, pick another condition, or raise the window size.',
  ctsConditionOverModel:
    'The CTS condition ({{condition}}) is {{tokens}} tokens, which fills all {{positions}} positions of {{model}}; shorten it or pick another condition.',
  ctsPassTooLong:
    'A {{scorer}} pass needs {{tokens}} positions but {{model}} takes at most {{positions}}; lower the window size or shorten the condition.',
  ctsPositiveTokens: '{{field}} must be a positive integer (tokens); got {{got}}.',
  ctsCondition: "condition must be question, answer or both; got '{{got}}'.",
  scoringCancelled: 'Scoring was cancelled.',

  // Generation (generation/engine.ts, the pages' forms).
  maxTokensPositive: '{{field}} must be a positive integer, got {{got}}.',
  maxTokensTooMany:
    '{{field}} {{got}} does not fit {{model}}: it holds {{positions}} positions (max_position_embeddings), prompt included; give at most {{max}}.',
  maxNewTokensForm: 'Max new tokens must be a positive integer.',
  noModelLoaded: 'No model is loaded: load one first.',
  noScorerLoaded: 'No scorer model is loaded: pick a model and load it first.',
  noReferenceLoaded: 'No reference model is loaded: pick one and press Compress.',
  unknownModel: "Unknown {{what}} '{{id}}'. Known models: {{known}}{{hint}}.",
  compareSameScorers:
    'Pick two different scorers (or CTS with two different conditions) to compare.',
  workerStoppedGeneration:
    'The generation worker stopped ({{raw}}). Load the model again, or pick the WASM backend.',
  workerCrashedGeneration:
    'The generation worker stopped (it crashed, e.g. the GPU device was lost or ran out of memory). Load the model again, or pick the WASM backend.',
  workerStoppedScorer:
    'The scorer worker stopped ({{raw}}). Press Compress to load the model again, or pick the WASM backend.',
  workerCrashedScorer:
    'The scorer worker stopped (it crashed, e.g. the GPU device was lost or the tab ran out of memory). Press Compress to load the model again, or pick the WASM backend.',
  workerMessageScorer:
    'The scorer worker stopped (a message could not be read). Press Compress to load the model again, or pick the WASM backend.',
  workerCancelledScorer: 'The scorer worker was stopped before it answered.',
  modelHostNotHttp:
    'The model host "{{host}}" is not an http(s) address: type one like http://192.168.1.10:8080/.',

  // Saved benchmark runs (web/lib/benchmark-store.ts, BenchmarkSession).
  savedRunsFull:
    "This site's browser storage is full, so the benchmark run cannot be saved; it goes on and is kept in this tab, but a reload would lose it. Free space: {{runs}} other saved benchmark run(s) use {{runBytes}} (cancel the ones listed under other runs), other data of this site {{otherBytes}} (clear it in the browser's site settings). The run is saved again after the next question.",
  savedRunDamaged:
    "A saved benchmark run in this browser's storage is damaged ({{raw}}); it was removed. Start the run again.",
  savedRunsDamaged:
    "A saved benchmark run in this browser's storage is damaged ({{raw}}); it was removed with {{others}} other damaged run(s). Start the run again.",
  savedRunNotResumable:
    'The saved benchmark run cannot be resumed: {{raw}}. It was removed; start the run again.',

  // Model files: integrity (hub/file-integrity.ts).
  fileSizeMismatch:
    "{{where}} has {{actual}} bytes, expected {{expected}}: the file is truncated or replaced. Delete it (or clear the app's model cache) and load again.",
  fileShaMismatch:
    "{{where}} has sha256 {{actual}}…, expected {{expected}}…: the file is corrupt. Delete it (or clear the app's model cache) and load again.",
  fileSizeVsManifest:
    "{{where}} has {{actual}} bytes, expected {{expected}} from the manifest: the file is truncated or replaced. Delete it (or clear the app's model cache) and load again.",
  fileSizeVsHub:
    "{{where}} has {{actual}} bytes, expected {{expected}} from the hub's own listing of the file (its size and LFS sha256 at this revision): the file is truncated or replaced. Delete it (or clear the app's model cache) and load again.",
  fileSizeVsRecorded:
    "{{where}} has {{actual}} bytes, expected {{expected}} from the hash recorded at its first download (the host now serves different bytes): the file is truncated or replaced. Delete it (or clear the app's model cache) and load again.",
  fileShaVsManifest:
    '{{where}} has sha256 {{actual}}…, expected {{expected}}… from the manifest: the file is corrupt or was replaced.',
  fileShaVsHub:
    "{{where}} has sha256 {{actual}}…, expected {{expected}}… from the hub's own listing of the file (its size and LFS sha256 at this revision): the file is corrupt or was replaced.",
  fileShaVsRecorded:
    '{{where}} has sha256 {{actual}}…, expected {{expected}}… from the hash recorded at its first download (the host now serves different bytes): the file is corrupt or was replaced.',
  fileGitBlobMismatch:
    '{{where}} has git blob sha1 {{actual}}…, expected {{expected}}… from the hub (the oid of this regular, non-LFS file at this revision): the file is corrupt or was replaced.',
  fileNotLfs:
    "{{where}} has {{size}} bytes: the hub stores files over 10 MB in LFS, never as a regular file with a git blob id; it is not the hub's file.",

  // Downloads (hub/fetch-ok.ts, hub/transfer.ts, hub/web/*).
  offlineNotCached:
    'You are offline and {{file}} is not on this device yet: this model needs the network once (or import its folder on the Models page). The models that come with the app work offline.',
  fetchFailed:
    'Could not download {{file}} from {{url}}: {{raw}}. Check the network, or use a local model folder or a mirror.',
  httpFailed: 'Downloading {{file}} from {{url}} failed: HTTP {{status}}.',
  htmlInsteadOfFile:
    '{{url}} answered a web page (HTML, status 200) instead of {{file}}: a login, error or proxy page, not the model file. Nothing was kept; check the URL, HF_ENDPOINT and HF_TOKEN, then try again.',
  transferRefused:
    '{{where}} from {{url}}: {{reason}}. Nothing of it was kept; check the model host and try again.',
  reasonSizeDisagrees: 'the server offers {{served}} bytes, {{expectedBy}} expects {{expected}}',
  reasonNoSize:
    'the server declared no size (no Content-Length, Content-Range or X-Linked-Size) and none is known, so a cut or endless body could not be told from the file',
  reasonOverBound:
    'the server declares {{size}} bytes, over the {{bound}}-byte bound for one model file (TOKENSKIP_MAX_FILE_BYTES)',
  reasonFarFromRegistry:
    'the server declares {{size}} bytes where the registry lists about {{approximate}}',
  reasonTooLong: 'the body runs past its declared {{size}} bytes (longer than declared)',
  reasonHtmlPage: 'the server answered an HTML page instead of the model file',
  reasonEndedNoSize:
    'the body ended after {{received}} of the {{total}} bytes expected, and the server declared no size of its own',
  reasonTensorSize: '{{size}} bytes, tensor-cache.json says {{expected}}',
  reasonHtmlFile: 'the server answered an HTML page instead of the file',
  reasonNotWasm: 'not a WebAssembly module (no \\0asm header)',
  reasonNotJson: 'not valid JSON (truncated, or another file)',
  reasonNotStored: 'it was not stored',
  sizeByRegistry: 'the registry',
  sizeByRecorded: 'the hash recorded at its first download',
  sizeByHub: "the hub's listing",
  sizeByTensorCache: 'tensor-cache.json',
  downloadStopped:
    'Downloading {{file}} from {{url}} stopped ({{raw}}). The {{kept}} bytes received are kept: download again to continue from there.',
  downloadStalled:
    'Downloading {{file}} from {{url}} stopped (stalled: {{bytes}} bytes in {{seconds}} s (TOKENSKIP_STALL_SECONDS, TOKENSKIP_STALL_BYTES)). The {{kept}} bytes received are kept: download again to continue from there.',
  downloadEndedShort:
    'Downloading {{file}} from {{url}} stopped (the body ended after {{received}} of {{total}} bytes). The {{kept}} bytes received are kept: download again to continue from there.',
  downloadCancelledFile: 'Download of {{file}} cancelled; the bytes received are kept.',
  downloadCancelled: 'Download cancelled; the bytes received are kept.',
  keptPartGone: 'A kept part of {{url}} is gone; download it again.',
  noBody: '{{url}} returned no body.',
  storageFull:
    'Not enough browser storage for {{file}}: it needs {{need}}. Delete models you do not use (Models page), free disk space, or press "Keep models" so the browser grants more.',
  storageFullRoom:
    'Not enough browser storage for {{file}}: it needs {{need}} but this site may store only {{free}} more. Delete models you do not use (Models page), free disk space, or press "Keep models" so the browser grants more.',
  storageFullModel:
    'Not enough browser storage for this model: it needs {{need}}. Delete models you do not use (Models page), free disk space, or press "Keep models" so the browser grants more.',
  noCacheStorage:
    'This browser gives the page no Cache Storage (a private window or an insecure address): models cannot be kept here.',
  storeFailed: 'Could not store {{file}} from {{url}}: {{raw}}.',
  noPinnedRevision:
    '{{model}} has no pinned revision and the hub could not say which commit main is ({{url}}: {{raw}}).',
  noCommitSha: '{{url}} returned no commit sha for {{repo}}.',

  notTensorCache:
    '{{url}} is not a tensor cache (no records with dataPath and nbytes): check that the model host serves an MLC weights folder.',
  noTokenizerFiles:
    'mlc-chat-config.json at {{base}} lists no tokenizer.json or tokenizer.model in tokenizer_files ({{files}}): WebLLM could not load this model. Re-export it with its tokenizer.',

  // Importing a model folder (hub/web/model-store.ts).
  importMissing:
    "The chosen folder lacks {{files}}: nothing was imported. Choose the model's own folder (the one holding {{first}}).",
  importEmptyFile:
    "{{file}} in the chosen folder is empty (0 bytes): it cannot be the model's file. Nothing was imported.",
  importSizeRefused: '{{where}} from the chosen folder: {{reason}}. Nothing was imported.',
  importHashRefused: '{{reason}} Nothing was imported.',
  importStoreFailed: 'Could not store the imported files ({{raw}}); nothing was imported.',

  // Loading models (scorers, engines, tokenizers).
  jsonInvalid: '{{where}} is not valid JSON ({{raw}}); re-download the model.',
  tokenizerLoadFailed:
    '{{where}} could not be loaded: {{raw}}. Re-download or re-export the model.',
  onnxGraphFailed:
    'Could not load the ONNX graph of {{model}}: {{raw}}. The file may be truncated or not an ONNX model; re-download it.',
  onnxSessionFailed:
    'Could not create an ONNX Runtime session for {{model}}: {{raw}}. The file may be truncated, or this backend cannot run it; try the other engine or backend.',
  ortLoadFailed: 'ONNX Runtime could not load {{model}}: {{raw}}',
  jsonInvalidShort: '{{where}} is not valid JSON; re-export or re-download the model.',
  logitsNotFinite:
    '{{model}} returned {{value}} logits: its weights are corrupt (or overflow in this precision), so every result would be wrong. Re-export or re-download the model.',
  scorerVocabTooSmall:
    '{{model}}: config.json has vocab_size {{vocab}}, but LLMLingua-2 needs {{needed}} (tokenizer + 100 [NEWi] placeholders). Is this an LLMLingua-2 model?',
  scorerTypeUnsupported:
    "Unsupported scorer model type '{{modelType}}' (tokenizer '{{tokenizer}}'): LLMLingua-2 supports XLM-RoBERTa (Unigram) and BERT (WordPiece) token classifiers.",
  referenceNoStartToken:
    'Reference model {{model}} defines neither bos_token_id nor eos_token_id in config.json; the causal scorers need one to predict the first CoT token. Add one to config.json.',
  notCausalConfig:
    '{{where}}: config.json lacks num_hidden_layers / num_key_value_heads / head_dim (or hidden_size and num_attention_heads); it is not a causal LM config.',
  gpuFailedAt:
    '{{model}}: the GPU failed at {{tokens}} tokens of context ({{raw}}). Load the model again, use the WASM backend, or lower the token budget.',
  webllmNoWebGpu:
    'WebLLM needs WebGPU, which this browser does not offer (no GPU adapter). Use the ONNX engine instead: it runs on WASM.',
  webllmFeatures:
    '{{model}} needs the WebGPU feature(s) {{features}}, which this GPU lacks, and has no fallback. Pick a q4f32_1 model or the ONNX engine.',
  webllmGpuFailed:
    'WebLLM could not use the GPU for {{model}}: {{raw}}. Reload the page, or use the ONNX engine.',
  webllmDownloadFailed:
    'WebLLM could not download {{model}}: {{raw}}. Check the connection and load again: the files already downloaded stay cached and are not fetched twice. Or use the ONNX engine.',
  webllmBadFile:
    'WebLLM read a wrong or damaged file for {{model}}: {{raw}}. Its cached files were dropped; check that the server returns the model files (not an HTML page), then load again.',

  // LLMLingua-2's options, tokenizer and classifier (compression/*, scorers/onnx-token-classifier.ts).
  percentileRange: 'Percentiles must be in the range [0, 100], got {{got}}.',
  forceTokensTooMany: 'At most 100 force tokens are supported, got {{got}}.',
  linguaBatchSize: 'batchSize must be a positive integer, got {{got}}.',
  classifierRowsShort: 'The token classifier returned fewer rows or positions than it was given.',
  scorerNoDecoder:
    'The scorer tokenizer.json has no decoder; LLMLingua-2 needs one to rebuild text.',
  scorerNoUnk: "The scorer tokenizer has no unk token '{{token}}' in its vocabulary.",
  whereScorerTokenizer: 'the scorer tokenizer.json',
  whereScorerDecoderSpec: 'the scorer decoder spec',
  whereTokenizerOf: 'tokenizer.json of {{model}}',
  classifierLogitsType: '{{where}}: logits have type {{type}}; expected float32 or float16.',
  classifierNoInput:
    "{{model}} has no '{{input}}' input (inputs: {{inputs}}); it is not a token classifier export.",
  classifierNoLogits: "{{model}} has no 'logits' output (outputs: {{outputs}}).",
  classifierLogitsShape:
    '{{model}} returned logits of shape [{{dims}}]; expected [{{rows}}, {{width}}, 2] (a 2-class token classifier).',

  // Datasets (datasets/examples.ts, datasets/arith.ts, web/lib/examples-loader.ts).
  datasetLineNotJson: '{{file}}:{{line}}: not valid JSON.',
  datasetLoadFailed: 'Could not load {{file}}: HTTP {{status}}',
  arithSizeRange: '{{split}} size must be a whole number from 0 to {{max}}; got {{got}}.',
  arithLanguages: "languages must be some of {{known}}; got '{{got}}'.",
  arithSeed: 'seed must be a whole number from 0 to 4294967295; got {{got}}.',
  arithTooFew: 'could not draw {{n}} distinct {{split}} problems; ask for fewer.',
  arithRole: "unknown word role '{{got}}' (expected e, f or c).",
  arithRoleCount: 'the CoT has {{words}} words but {{roles}} roles.',

  // Prompts, runs and the Benchmark's questions (prompts/build-prompt.ts, eval/metrics.ts,
  // web/lib/BenchmarkSession.svelte.ts, scoring/compare.ts).
  unknownPromptFamily: 'Unknown prompt family "{{family}}". Use one of: {{known}}.',
  duplicateRunName:
    "Two runs are named '{{name}}'. Give each run a unique name (or put them in separate files).",
  questionNotInDataset: 'Question {{id}} is not in {{dataset}}.',
  compareNotAligned: 'compareWords needs both scorers projected onto the same CoT',

  // Causal LMs' inputs and outputs (scoring/*, scorers/onnx-causal-lm.ts, causal-scorer-loader.ts,
  // engines/onnx/*, engines/webllm/*).
  logitsTooFew:
    'The model returned {{logits}} logits, fewer than {{positions}} positions x {{vocab}} vocabulary entries; check that the model is a causal LM whose logits are [batch, sequence, vocab].',
  tokenOutsideVocab:
    "Token id {{token}} at position {{position}} is outside the model's vocabulary of {{vocab}}; the tokenizer and the model do not belong together.",
  logProbCount:
    'The log-prob runner returned {{values}} values for {{tokens}} tokens (expected {{expected}}).',
  referenceNoConfig:
    'Reference model {{model}} has no config.json; it sizes the KV cache (a causal LM in the transformers.js layout has it).',
  referenceNoTokenizer:
    'Reference model {{model}} has no tokenizer.json; the scorers tokenize the CoT with it (a causal LM in the transformers.js layout has it).',
  referenceNoLogits:
    "{{model}} has no 'logits' output (its outputs: {{outputs}}); the reference model must be a causal LM exported for text generation (transformers.js layout).",
  referenceNoInput:
    "{{model}} has no '{{input}}' input (its inputs: {{inputs}}); the reference model must be a causal LM in the transformers.js layout.",
  referenceUnknownInputs:
    '{{model}} needs inputs this runner does not know how to fill: {{inputs}}.',
  referenceLogitsShape:
    '{{model}} returned logits of shape [{{dims}}] for {{length}} tokens; expected [1, {{length}}, vocab].',
  referenceLogitsType:
    '{{model}} returns {{type}} logits; the scorers read float32 or float16 logits.',
  referenceNoPresent: '{{model}} takes {{input}} but returns no matching present.* output.',
  listNone: 'none',
  engineNotCausalKv:
    '{{model}} is not a causal LM with a KV cache (missing {{missing}}). Export it with past key values (transformers.js layout).',
  engineLogitsShape: '{{model}}: expected logits [1, T, vocab], got [{{dims}}].',
  engineNoLogits: '{{model}}: expected logits [1, T, vocab], got none.',
  enginePresentMissing:
    '{{model}}: output present.{{layer}}.{{kind}} is missing; config.json says {{layers}} layers.',
  ortRunFailed: '{{model}}: ONNX Runtime failed: {{raw}}',
  modelNotLoaded: '{{model}} is not loaded: call load() first.',
  webllmNoUsage:
    'WebLLM finished {{model}} without a usage chunk (stream_options.include_usage was set).',

  // A registry entry's paths and revision (hub/paths.ts, hub/model-manifest.ts, hub/web/*).
  pathBadRepo:
    '{{where}}: repo {{value}} is not allowed (it must be owner/name of letters, digits, "_", "-" and "."); fix the registry entry.',
  pathBadRevision:
    '{{where}}: revision {{value}} is not allowed (it must be one plain name, a commit sha); fix the registry entry.',
  pathBadFile:
    '{{where}}: file path {{value}} is not allowed (it must be a relative path inside the model folder); fix the registry entry.',
  notHubModel: '{{model}} is not a hub model.',
  revisionNotResolved: '{{model}} has no pinned revision: resolve it first (resolveRevision).',
  fileNotPlanned:
    "{{model}}: {{path}} was not planned for this load (it is not one of the model's files).",
} as const;

/** A message id of the table. */
export type ErrorMessageId = keyof typeof errorMessagesEn;

/** The `{{name}}` placeholders of a template, as a union of names. */
type Placeholders<S extends string> = S extends `${string}{{${infer P}}}${infer Rest}`
  ? P | Placeholders<Rest>
  : never;

/** A parameter: data (text, a number) or another detail rendered in the page's language. */
export type ErrorParam = string | number | ErrorDetail;

/** A message id with exactly the parameters its template names (checked at compile time). */
export type ErrorDetail = {
  [K in ErrorMessageId]: [Placeholders<(typeof errorMessagesEn)[K]>] extends [never]
    ? { id: K; params?: Record<string, never> }
    : { id: K; params: { [P in Placeholders<(typeof errorMessagesEn)[K]>]: ErrorParam } };
}[ErrorMessageId];

/** Fills a `{{name}}` template; nested details are filled with `render` (English by default). */
export function fillTemplate(
  template: string,
  params: Record<string, ErrorParam> | undefined,
  render: (detail: ErrorDetail) => string = errorText,
): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = params?.[name];
    if (value === undefined) return whole;
    return typeof value === 'object' ? render(value) : String(value);
  });
}

/** The English text of a detail (the CLI's message). An unknown id (a stale worker) shows as is. */
export function errorText(detail: ErrorDetail): string {
  const template = (errorMessagesEn as Record<string, string>)[detail.id];
  return template === undefined
    ? detail.id
    : fillTemplate(template, detail.params as Record<string, ErrorParam> | undefined);
}
