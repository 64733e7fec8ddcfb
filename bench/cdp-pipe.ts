/**
 * Debian's Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`), with
 * nothing attached but the one page's Page and Runtime domains: no Network domain, no service
 * worker or dedicated worker sessions.
 *
 * Why not Playwright here: Playwright enables the Network domain on every page and worker it
 * attaches to, and Chromium then keeps a copy of every response body for DevTools. For the first
 * visit (a 14 MB WebAssembly file and a 6.8 MB model read through the service worker) that
 * instrumentation is part of what gets measured: fetching and compiling ORT's 14.2 MB WebAssembly
 * in a worker took 164–388 ms with no client attached and 512–735 ms under Playwright. Over a
 * whole first visit, opened 1.5 s after the browser started, the two drivers measured the same
 * (README, "First visit"): this is the lighter instrument, not a different result. This client is
 * deliberately hand-written (a library such as chrome-remote-interface would add a WebSocket stack
 * and attach the same way): the point is to send only the handful of commands below.
 *
 * The protocol on the pipe: JSON messages, each ended by a NUL byte, commands written to the
 * browser's fd 3, responses and events read from its fd 4
 * (https://chromedevtools.github.io/devtools-protocol/, "--remote-debugging-pipe").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  method: string;
}

export interface CdpPage {
  /** Runs before any of the page's own scripts, in every document this page opens. */
  addInitScript(source: string): Promise<void>;
  goto(url: string): Promise<void>;
  /** A JavaScript expression's value (promises awaited), returned by value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Polls `expression` (a promise is awaited) every `pollMs` until it is truthy; throws after `timeoutMs`. */
  waitFor(expression: string, timeoutMs: number, pollMs?: number): Promise<void>;
}

export interface CdpBrowser {
  newPage(): Promise<CdpPage>;
  /**
   * Opens `url` in a new tab with no DevTools session on it, as a visitor's click would;
   * `attach` later to read the page (its init scripts then never ran).
   */
  openTab(url: string): Promise<{ attach(): Promise<CdpPage> }>;
  close(): Promise<void>;
}

export async function launchOverPipe(executablePath: string, args: string[]): Promise<CdpBrowser> {
  const child: ChildProcess = spawn(
    executablePath,
    ['--headless=new', '--remote-debugging-pipe', ...args, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  const toBrowser = child.stdio[3] as Writable;
  const fromBrowser = child.stdio[4] as Readable;
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let exitReason: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // Not started at all (no such file, not executable): said as the exit reason, no stack.
    child.once('error', (error) => {
      exitReason = `could not start ${executablePath} (${error.message}): install Debian's chromium or set CHROMIUM_PATH`;
      resolve();
    });
  });

  let nextId = 1;
  const pending = new Map<number, Pending>();
  let buffered = '';
  // Decoded by the stream, so a character split between two chunks stays whole.
  fromBrowser.setEncoding('utf8');
  fromBrowser.on('data', (chunk: string) => {
    buffered += chunk;
    let end: number;
    while ((end = buffered.indexOf('\0')) >= 0) {
      const message = JSON.parse(buffered.slice(0, end)) as {
        id?: number;
        result?: Record<string, unknown>;
        error?: { message: string };
      };
      buffered = buffered.slice(end + 1);
      const waiter = message.id === undefined ? undefined : pending.get(message.id);
      if (!waiter) continue; // an event: none is subscribed to on purpose
      pending.delete(message.id!);
      if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
      else waiter.resolve(message.result ?? {});
    }
  });
  void exited.then(() => {
    exitReason ??= `Chromium exited: ${stderr.slice(-600)}`;
    for (const w of pending.values()) w.reject(new Error(`${w.method}: ${exitReason}`));
    pending.clear();
  });

  // A write after the browser exited fails its command (below) instead of crashing the bench.
  toBrowser.on('error', () => undefined);
  const send = (method: string, params: object = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      if (exitReason) return reject(new Error(`${method}: ${exitReason}`));
      const id = nextId++;
      pending.set(id, { resolve, reject, method });
      toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
      toBrowser.write('\0');
    });

  // The first command waits for the browser to be up.
  await send('Browser.getVersion');

  /** A DevTools session on the tab `targetId`, with its Page domain on. */
  async function attach(targetId: string): Promise<CdpPage> {
    const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as {
      sessionId: string;
    };
    const on = (method: string, params: object = {}) => send(method, params, sessionId);
    await on('Page.enable');
    const evaluate = async <T>(expression: string): Promise<T> => {
      const reply = (await on('Runtime.evaluate', {
        expression,
        awaitPromise: true,
        returnByValue: true,
      })) as {
        result: { value?: T };
        exceptionDetails?: { text: string; exception?: { description?: string } };
      };
      if (reply.exceptionDetails) {
        const d = reply.exceptionDetails;
        throw new Error(`in the page: ${d.exception?.description ?? d.text}`);
      }
      return reply.result.value as T;
    };
    return {
      async addInitScript(source) {
        await on('Page.addScriptToEvaluateOnNewDocument', { source });
      },
      async goto(url) {
        const reply = (await on('Page.navigate', { url })) as { errorText?: string };
        if (reply.errorText) throw new Error(`navigating to ${url}: ${reply.errorText}`);
      },
      evaluate,
      waitFor: (expression, timeoutMs, pollMs) =>
        pollUntil(evaluate, expression, timeoutMs, pollMs),
    };
  }

  const createTarget = async (url: string) =>
    ((await send('Target.createTarget', { url })) as { targetId: string }).targetId;

  return {
    async newPage() {
      return attach(await createTarget('about:blank'));
    },
    async openTab(url) {
      const targetId = await createTarget(url);
      return { attach: () => attach(targetId) };
    },
    async close() {
      await send('Browser.close').catch(() => undefined);
      const killed = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killed);
    },
  };
}

/**
 * Evaluates `expression` (a promise is awaited) every `pollMs` until it is truthy; throws after
 * `timeoutMs`. An evaluation that fails counts as not yet: a navigation in progress can destroy the
 * context it started in. Shared by both of bench:first-visit's drivers, so they poll alike.
 */
export async function pollUntil(
  evaluate: (expression: string) => Promise<unknown>,
  expression: string,
  timeoutMs: number,
  pollMs = 50,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const ok = await evaluate(`(async () => Boolean(await (${expression})))()`).catch(() => false);
    if (ok) return;
    if (performance.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
