/**
 * The web-platform globals the core layer may use: each exists, with these members, in browsers,
 * workers and Node alike. Only tsconfig.core.json includes this file (the other layers get the real
 * declarations from lib.dom / @types/node), so a core module that reaches for `document`, `window`
 * or `process` fails to type-check.
 */
interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  throwIfAborted(): void;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

declare class URLSearchParams {
  constructor(init?: string | Record<string, string>);
  get(name: string): string | null;
  set(name: string, value: string): void;
  has(name: string): boolean;
  keys(): IterableIterator<string>;
  toString(): string;
}

declare class URL {
  constructor(url: string, base?: string | URL);
  href: string;
  pathname: string;
  origin: string;
  host: string;
  hostname: string;
  readonly searchParams: URLSearchParams;
  toString(): string;
}

declare const performance: { now(): number };

declare const console: {
  log(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
};

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
