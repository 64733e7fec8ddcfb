/**
 * Turns a growing list of token ids into text deltas, incrementally: each step decodes only a
 * small window (the tokens of the previous delta as context, plus the new ones) instead of every id
 * so far, which made a 1,000-token stream cost ~500k token decodes. This is the algorithm of
 * Hugging Face tokenizers' `DecodeStream` (and what `TextStreamer` approximates):
 *
 *   window = ids since `prefixIndex` tokens before the last emission; prefix = decode(that context)
 *   push(id): text = decode(window + id)
 *     - ends in U+FFFD (a byte-level token split a UTF-8 character) or did not grow: hold back
 *     - else emit text.slice(prefix.length); the window slides to the tokens just emitted
 *
 * Keeping the previous tokens as context is what makes decoders that treat the first token of a
 * decode specially (Metaspace drops its leading space, WordPiece joins `##` pieces, clean-up of
 * spaces before punctuation) give the same text as decoding everything. A tokenizer that cleans
 * up tokenization spaces (`" ."` -> `"."`, WordPiece / Metaspace scorers) can still remove a space
 * only once the next token arrives, so with clean-up on, text ending in a space is held back one
 * token too. `finish()` decodes the whole sequence once, so the final text is exactly
 * `decode(all ids)` whatever happened in between.
 */
export interface Detokenizer {
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
}

const OPTIONS = { skip_special_tokens: true } as const;

export class TextStream {
  private readonly ids: number[] = [];
  /** Ids decoded at each step: the context tokens, then the ones not yet emitted. */
  private window: number[] = [];
  /** decode(window) as of the last emission (the context the next delta is measured against). */
  private prefix = '';
  /** How many of `window`'s first tokens are context (already emitted). */
  private prefixIndex = 0;
  private readonly parts: string[] = [];
  private emittedLength = 0;
  /** Decoded tokens in total (for tests: linear, not quadratic, in the stream length). */
  decodedTokens = 0;

  private readonly holdTrailingSpace: boolean;

  constructor(
    private readonly tokenizer: Detokenizer,
    options: { holdTrailingSpace?: boolean } = {},
  ) {
    this.holdTrailingSpace =
      options.holdTrailingSpace ??
      (tokenizer as { clean_up_tokenization_spaces?: unknown }).clean_up_tokenization_spaces ===
        true;
  }

  private held(text: string): boolean {
    return text.endsWith('\uFFFD') || (this.holdTrailingSpace && text.endsWith(' '));
  }

  private decode(ids: number[]): string {
    this.decodedTokens += ids.length;
    return this.tokenizer.decode(ids, OPTIONS);
  }

  /** Adds a token; returns the new text it completes ('' when held back or a special token). */
  push(id: number): string {
    this.ids.push(id);
    this.window.push(id);
    const text = this.decode(this.window);
    if (text.length <= this.prefix.length || this.held(text)) return '';
    let delta: string;
    if (text.startsWith(this.prefix)) {
      delta = text.slice(this.prefix.length);
      const newPrefixIndex = this.window.length - this.prefixIndex;
      this.window = this.window.slice(this.prefixIndex);
      this.prefix = this.decode(this.window);
      this.prefixIndex = newPrefixIndex;
    } else {
      // The context decoded differently with the new token after it (a decoder that rewrites
      // across tokens): fall back to one full decode for this step and restart the window.
      const full = this.decode(this.ids);
      if (this.held(full)) return '';
      const before = this.current;
      if (!full.startsWith(before)) return '';
      delta = full.slice(before.length);
      this.window = [id];
      this.prefix = this.decode(this.window);
      this.prefixIndex = 1;
    }
    if (delta) {
      this.parts.push(delta);
      this.emittedLength += delta.length;
    }
    return delta;
  }

  /** The full text, `decode(all ids)`, including a trailing incomplete character if the stream ended there. */
  finish(): string {
    return this.ids.length === 0 ? '' : this.tokenizer.decode(this.ids, OPTIONS);
  }

  /** The text emitted so far (the concatenated deltas). */
  get current(): string {
    if (this.parts.length > 1) this.parts.splice(0, this.parts.length, this.parts.join(''));
    return this.parts[0] ?? '';
  }

  /** Characters emitted so far. */
  get length(): number {
    return this.emittedLength;
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
    // The web MessagePort (Node's typings, also loaded for this shared module, lack `onmessage`).
    const port = channel.port1 as unknown as { onmessage: (() => void) | null; close(): void };
    port.onmessage = () => {
      port.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
