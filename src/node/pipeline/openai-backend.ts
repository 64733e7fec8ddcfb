/**
 * OpenAI-compatible completion back-end for `tokenskip collect` (vLLM, llama.cpp server, Ollama):
 * several endpoints at once, a concurrency limit per endpoint, per-request timeouts, and retries
 * with exponential backoff that move to another endpoint. Garbage replies (not JSON, no text) count
 * as failures and are retried like timeouts and 5xx/429 answers.
 *
 *   const backend = createOpenAiBackend({ endpoints: ['http://gpu1:8000/v1'], model: 'Qwen/Qwen2.5-7B-Instruct' });
 *   const text = await backend.complete(prompt, { maxTokens: 512 });
 */
import { TokenSkipError } from '../../core/errors.ts';

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

export interface CompletionBackend {
  /** How many requests can usefully run at once. */
  readonly slots: number;
  complete(prompt: string, o: { maxTokens: number }): Promise<string>;
  /** Loads and checks the model before any work (in-process back-ends); throws if it is unusable. */
  ready?(): Promise<void>;
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

/** An endpoint's URL without credentials, and the Basic authorization they stand for (if any). */
function splitCredentials(endpoint: string): { url: string; label: string; basic?: string } {
  const u = new URL(endpoint);
  if (!u.username && !u.password) return { url: endpoint, label: endpoint };
  const basic = Buffer.from(
    `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`,
  ).toString('base64');
  u.username = '';
  u.password = '';
  return { url: u.toString(), label: redactUrl(endpoint), basic };
}

export function createOpenAiBackend(o: OpenAiBackendOptions): CompletionBackend {
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

  async function once(i: number, prompt: string, maxTokens: number): Promise<string> {
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
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}: ${body.slice(0, 200)}`);
    let json: { choices?: { text?: unknown }[] };
    try {
      json = JSON.parse(body);
    } catch {
      throw new Error(`${url} answered with something that is not JSON: ${body.slice(0, 80)}`);
    }
    const text = json.choices?.[0]?.text;
    if (typeof text !== 'string') throw new Error(`${url} answered JSON without choices[0].text`);
    return text;
  }

  return {
    slots: concurrency * o.endpoints.length,
    async complete(prompt, { maxTokens }) {
      let lastError: unknown;
      let avoid: number | undefined;
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
        const i = await acquire(avoid);
        try {
          return await once(i, prompt, maxTokens);
        } catch (error) {
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
    },
  };
}
