/**
 * Turns a growing list of token ids into text deltas. Byte-level BPE tokens can split a UTF-8
 * character, so a delta is held back while the decoded text ends in U+FFFD (an incomplete
 * character) and released once the next token completes it.
 */
export interface Detokenizer {
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
}

export class TextStream {
  private readonly ids: number[] = [];
  private emitted = 0;
  private text = '';

  constructor(private readonly tokenizer: Detokenizer) {}

  /** Adds a token; returns the new text it completes ('' when held back or a special token). */
  push(id: number): string {
    this.ids.push(id);
    const text = this.tokenizer.decode(this.ids, { skip_special_tokens: true });
    if (text.endsWith('\uFFFD')) return '';
    this.text = text;
    const delta = text.slice(this.emitted);
    this.emitted = text.length;
    return delta;
  }

  /** The full text so far, including a trailing incomplete character if the stream ended there. */
  finish(): string {
    return this.ids.length === 0
      ? ''
      : this.tokenizer.decode(this.ids, { skip_special_tokens: true });
  }

  get current(): string {
    return this.text;
  }
}

/** Yields to the event loop (a macrotask) so cancel messages can arrive between decode steps. */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => void };
  if (typeof g.setImmediate === 'function') {
    return new Promise((resolve) => g.setImmediate!(resolve));
  }
  // In browsers and workers: a MessageChannel hop is not clamped like setTimeout(0).
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
