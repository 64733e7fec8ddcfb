import { describe, expect, it } from 'vitest';
import { closeTimeline } from '../../src/core/generation/timeline.ts';

const usage = (completionTokens: number, e2eLatencyMs: number) => ({
  usage: {
    promptTokens: 10,
    completionTokens,
    timeToFirstTokenMs: 5,
    prefillTokensPerSecond: 0,
    decodeTokensPerSecond: 0,
    e2eLatencyMs,
  },
});

describe('closeTimeline', () => {
  it('ends a timeline that lost its last events at the run’s totals', () => {
    // Issue 21: the page saw 4 of 67 token events before the reply and drew a line ending at 4.
    const seen = [1, 2, 3, 4].map((tokens) => ({ ms: tokens * 30, tokens }));
    const out = closeTimeline(seen, usage(67, 2100));
    expect(out.at(-1)).toEqual({ ms: 2100, tokens: 67 });
    expect(out.slice(0, 4)).toEqual(seen);
  });

  it('counts the stop token and clamps nothing that already agrees', () => {
    const seen = [
      { ms: 10, tokens: 1 },
      { ms: 20, tokens: 2 },
    ];
    expect(closeTimeline(seen, usage(3, 25)).at(-1)).toEqual({ ms: 25, tokens: 3 });
    expect(closeTimeline([{ ms: 25, tokens: 3 }], usage(3, 25))).toEqual([{ ms: 25, tokens: 3 }]);
  });

  it('never runs past the figures, and an empty run stays empty', () => {
    const out = closeTimeline([{ ms: 40, tokens: 5 }], usage(4, 30));
    expect(out).toEqual([{ ms: 30, tokens: 4 }]);
    expect(closeTimeline([], usage(0, 0))).toEqual([]);
  });
});
