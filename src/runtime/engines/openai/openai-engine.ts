/**
 * OpenAI-compatible endpoints (vLLM, llama.cpp server, Ollama) as a GenerationEngine like the ONNX
 * and WebLLM ones (src/core/generation/engine.ts), the one contract of the pages, Benchmark,
 * `collect` and `eval`: several endpoints at once, a concurrency limit per endpoint (`slots`),
 * per-request timeouts, and retries with exponential backoff that move to another endpoint.
 * Garbage replies (not JSON, no text) count as failures and are retried like timeouts and 5xx/429
 * answers. Greedy (`temperature: 0`), not streamed: `token` events are not sent, `usage` and
 * `done` are (the server's token counts, the timings of the whole request).
 *
 *   const engine = createOpenAiEngine({ endpoints: ['http://gpu1:8000/v1'], model: 'Qwen/Qwen2.5-7B-Instruct' });
 *   const { text } = await engine.generate(prompt, { maxNewTokens: 512 });
 */
import { TokenSkipError, toTokenSkipError } from '../../../core/errors.ts';
import {
  usageFromTimings,
  type EngineInfo,
  type FinishReason,
  type GenerationEngine,
  type GenerationResult,
} from '../../../core/generation/engine.ts';

export interface OpenAiBackendOptions {
  /** Base URLs, e.g. http://127.0.0.1:8000/v1 (`/completions` is appended). */
  endpoints: string[];
  model: string;
  apiKey?: string;
  /** In-flight requests per endpoint. */
  concurrency?: number;
  retries?: number;
  timeoutMs?: number;
  backoffMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `url` with its user:password (if any) replaced by `***`: endpoints are echoed in messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '***';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//***@');
  }
}

/** UTF-8 base64 without Node's Buffer (this module runs in the browser too). */
function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** An endpoint's URL without credentials, and the Basic authorization they stand for (if any). */
function splitCredentials(endpoint: string): { url: string; label: string; basic?: string } {
  const u = new URL(endpoint);
  if (!u.username && !u.password) return { url: endpoint, label: endpoint };
  const basic = base64(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`);
  u.username = '';
  u.password = '';
  return { url: u.toString(), label: redactUrl(endpoint), basic };
}

interface Completion {
  text: string;
  finishReason: FinishReason;
  promptTokens?: number;
  completionTokens?: number;
}

export function createOpenAiEngine(o: OpenAiBackendOptions): GenerationEngine {
  if (o.endpoints.length === 0)
    throw new TokenSkipError('INVALID_ARGUMENT', 'give at least one --endpoint URL.');
  for (const e of o.endpoints) {
    if (!/^https?:\/\//.test(e) || !URL.canParse(e))
      throw new TokenSkipError(
        'INVALID_ARGUMENT',
        `endpoint '${redactUrl(e)}' must be an http(s) URL such as http://127.0.0.1:8000/v1.`,
      );
  }
  // fetch refuses URLs with credentials; they travel as a Basic header and never in messages.
  const targets = o.endpoints.map(splitCredentials);
  const concurrency = o.concurrency ?? 4;
  const retries = o.retries ?? 3;
  const timeoutMs = o.timeoutMs ?? 120_000;
  const backoffMs = o.backoffMs ?? 500;
  const inFlight = o.endpoints.map(() => 0);
  const waiters: (() => void)[] = [];
  let rr = 0;

  async function acquire(avoid?: number): Promise<number> {
    for (;;) {
      // Prefer the least busy endpoint that is not the one that just failed.
      let best = -1;
      for (let k = 0; k < o.endpoints.length; k++) {
        const i = (rr + k) % o.endpoints.length;
        if ((inFlight[i] as number) >= concurrency) continue;
        if (
          best < 0 ||
          (i !== avoid && (best === avoid || (inFlight[i] as number) < (inFlight[best] as number)))
        )
          best = i;
      }
      if (best >= 0) {
        rr = (best + 1) % o.endpoints.length;
        inFlight[best] = (inFlight[best] as number) + 1;
        return best;
      }
      await new Promise<void>((r) => waiters.push(r));
    }
  }
  function release(i: number): void {
    inFlight[i] = (inFlight[i] as number) - 1;
    waiters.shift()?.();
  }

  async function once(
    i: number,
    prompt: string,
    maxTokens: number,
    signal?: AbortSignal,
  ): Promise<Completion> {
    const target = targets[i]!;
    const url = `${target.label.replace(/\/+$/, '')}/completions`;
    const res = await fetch(`${target.url.replace(/\/+$/, '')}/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(o.apiKey
          ? { authorization: `Bearer ${o.apiKey}` }
          : target.basic
            ? { authorization: `Basic ${target.basic}` }
            : {}),
      },
      body: JSON.stringify({
        model: o.model,
        prompt,
        max_tokens: maxTokens,
        temperature: 0,
        top_p: 1,
        n: 1,
        stream: false,
      }),
      signal: signal
        ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
        : AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}: ${body.slice(0, 200)}`);
    let json: {
      choices?: { text?: unknown; finish_reason?: unknown }[];
      usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
    };
    try {
      json = JSON.parse(body);
    } catch {
      throw new Error(`${url} answered with something that is not JSON: ${body.slice(0, 80)}`);
    }
    const text = json.choices?.[0]?.text;
    if (typeof text !== 'string') throw new Error(`${url} answered JSON without choices[0].text`);
    const count = (n: unknown) => (typeof n === 'number' && n >= 0 ? n : undefined);
    const promptTokens = count(json.usage?.prompt_tokens);
    const completionTokens = count(json.usage?.completion_tokens);
    return {
      text,
      finishReason: json.choices?.[0]?.finish_reason === 'length' ? 'length' : 'stop',
      ...(promptTokens !== undefined ? { promptTokens } : {}),
      ...(completionTokens !== undefined ? { completionTokens } : {}),
    };
  }

  async function complete(
    prompt: string,
    maxTokens: number,
    signal?: AbortSignal,
  ): Promise<Completion> {
    let lastError: unknown;
    let avoid: number | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
      const i = await acquire(avoid);
      try {
        return await once(i, prompt, maxTokens, signal);
      } catch (error) {
        if (signal?.aborted) throw error;
        lastError = error;
        avoid = i;
      } finally {
        release(i);
      }
    }
    const msg =
      lastError instanceof Error
        ? lastError.name === 'TimeoutError'
          ? `timed out after ${timeoutMs} ms`
          : lastError.message
        : String(lastError);
    throw new TokenSkipError(
      'DOWNLOAD_FAILED',
      `completion failed after ${retries + 1} attempts: ${msg}`,
    );
  }

  const info = (): EngineInfo => ({
    kind: 'openai',
    modelId: o.model,
    device: 'remote',
    detail: targets.map((t) => t.label).join(', '),
    loadMs: 0,
  });

  return {
    kind: 'openai',
    slots: concurrency * o.endpoints.length,
    // Nothing to load: the servers hold the model (a wrong name fails on the first request).
    load: async () => info(),
    async generate(prompt, options, onEvent) {
      const startMs = performance.now();
      let done: Completion;
      try {
        done = await complete(prompt, options.maxNewTokens, options.signal);
      } catch (error) {
        if (options.signal?.aborted) {
          const usage = usageFromTimings({
            promptTokens: 0,
            completionTokens: 0,
            startMs,
            firstTokenMs: startMs,
            endMs: performance.now(),
          });
          const result: GenerationResult = { text: '', finishReason: 'cancelled', usage };
          onEvent?.({ type: 'usage', usage });
          onEvent?.({ type: 'done', result });
          return result;
        }
        const e = toTokenSkipError(error);
        onEvent?.({ type: 'error', error: e.serialize() });
        throw e;
      }
      const endMs = performance.now();
      // Not streamed: the first token is known when the whole answer is.
      const usage = usageFromTimings({
        promptTokens: done.promptTokens ?? 0,
        completionTokens: done.completionTokens ?? 0,
        startMs,
        firstTokenMs: endMs,
        endMs,
      });
      const result: GenerationResult = { text: done.text, finishReason: done.finishReason, usage };
      onEvent?.({ type: 'usage', usage });
      onEvent?.({ type: 'done', result });
      return result;
    },
    unload: async () => undefined,
  };
}
