// Run metrics (accuracy, ΔAcc, CoT tokens before "The final answer is:", actual ratio, latency,
// speedup, decode tok/s) and the JSON / CSV / Markdown reports, with hand-computed expectations.
import { describe, expect, it } from 'vitest';
import {
  cotText,
  groupRuns,
  summarizeRun,
  summarizeRuns,
  toCsv,
  toJson,
  toMarkdownTable,
  type RunInput,
} from '../../src/core/eval/index.ts';
import { TokenSkipError } from '../../src/core/errors.ts';

/** A whitespace word counter stands in for the target tokenizer (any `(text) => number` works). */
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

const out = (cotWords: number, answer: string) =>
  `${Array.from({ length: cotWords }, (_, i) => `w${i}`).join(' ')}\n\nThe final answer is: $\\boxed{${answer}}$`;

const original: RunInput = {
  name: 'orig',
  method: 'Original',
  model: 'Qwen2.5-0.5B',
  dataset: 'gsm8k',
  gamma: 1,
  original: true,
  samples: [
    { id: 'a', correct: true, output: out(10, '1'), latencyS: 2 },
    { id: 'b', correct: true, output: out(30, '2'), latencyS: 4 },
    { id: 'c', correct: false, output: out(20, '3'), latencyS: 3 },
    { id: 'd', correct: true, output: out(20, '4'), latencyS: 3 },
  ],
};
const gamma05: RunInput = {
  name: 'ts-0.5',
  method: 'TokenSkip',
  model: 'Qwen2.5-0.5B',
  dataset: 'gsm8k',
  gamma: 0.5,
  samples: [
    { id: 'a', correct: true, output: out(5, '1'), latencyS: 1, decodeTokensPerS: 40 },
    { id: 'b', correct: false, output: out(15, '2'), latencyS: 2, decodeTokensPerS: 50 },
    { id: 'c', correct: false, output: out(10, '3'), latencyS: 1.5 },
    { id: 'd', correct: true, cotTokens: 10, latencyS: 1.5 },
  ],
};

describe('cotText', () => {
  it('keeps the text before "\\n\\nThe final answer is:"', () => {
    expect(cotText('a b c\n\nThe final answer is: $\\boxed{1}$')).toBe('a b c');
    expect(cotText('no delimiter here')).toBe('no delimiter here');
  });
});

describe('summarizeRuns', () => {
  const [o, t] = summarizeRuns([original, gamma05], { countTokens: words });

  it('computes accuracy and mean CoT tokens per run', () => {
    expect(o).toMatchObject({
      n: 4,
      correct: 3,
      accuracyPct: 75,
      meanCotTokens: 20,
      meanLatencyS: 3,
    });
    expect(t).toMatchObject({
      n: 4,
      correct: 2,
      accuracyPct: 50,
      meanCotTokens: 10,
      meanLatencyS: 1.5,
    });
  });

  it('measures ΔAcc, actual ratio and speedup against the original run', () => {
    expect(o).toMatchObject({ baseline: 'orig', deltaAccPct: 0, actualRatio: 1, speedup: 1 });
    expect(t).toMatchObject({ baseline: 'orig', deltaAccPct: -25, actualRatio: 0.5, speedup: 2 });
  });

  it('averages decode tok/s over the samples that report it', () => {
    expect(t!.decodeTokensPerS).toBe(45);
    expect(o!.decodeTokensPerS).toBeNull();
  });

  it('keeps per-sample records with their counted tokens', () => {
    expect(t!.samples.map((s) => [s.id, s.cotTokens, s.correct])).toEqual([
      ['a', 5, true],
      ['b', 15, false],
      ['c', 10, false],
      ['d', 10, true],
    ]);
  });

  it('falls back to the γ = 1 run when none is marked original, per model and dataset', () => {
    const [a, b, c] = summarizeRuns(
      [
        { ...gamma05, name: 'x', model: 'm1' },
        { ...original, name: 'y', model: 'm1', original: false, method: 'Base' },
        { ...gamma05, name: 'z', model: 'm2' },
      ],
      { countTokens: words },
    );
    expect(a!.baseline).toBe('y');
    expect(b!.baseline).toBe('y');
    expect(c!.baseline).toBeNull();
    expect(c!.deltaAccPct).toBeNull();
    expect(c!.actualRatio).toBeNull();
  });

  it('uses the run total time as the reference does (total / samples)', () => {
    expect(summarizeRun({ ...original, totalTimeS: 10 }).meanLatencyS).toBe(2.5);
  });

  it('leaves tokens null when not every sample can be counted', () => {
    expect(summarizeRun(original).meanCotTokens).toBeNull();
  });

  it('refuses two runs with the same name', () => {
    expect(() => summarizeRuns([original, original])).toThrow(TokenSkipError);
  });
});

describe('reports', () => {
  const summaries = summarizeRuns([original, gamma05], { countTokens: words });

  it('Markdown table in the paper layout', () => {
    expect(toMarkdownTable(summaries)).toBe(
      [
        '| Model | Method | γ | GSM8K Acc. (Δ) | Tokens | Ratio | Latency (s) | Speedup |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        '| Qwen2.5-0.5B | Original | 1.0 | 75.0 | 20.0 | 1.00 | 3.00 | 1.00x |',
        '| Qwen2.5-0.5B | TokenSkip | 0.5 | 50.0 (-25.0) | 10.0 | 0.50 | 1.50 | 2.00x |',
        '',
      ].join('\n'),
    );
  });

  it('puts datasets side by side and marks missing cells', () => {
    const mathRun: RunInput = {
      ...original,
      name: 'orig-math',
      dataset: 'math',
      samples: original.samples.slice(0, 2),
    };
    const table = toMarkdownTable(
      summarizeRuns([original, gamma05, mathRun], { countTokens: words }),
    );
    const lines = table.trim().split('\n');
    expect(lines[0]).toBe(
      '| Model | Method | γ | GSM8K Acc. (Δ) | Tokens | Ratio | Latency (s) | Speedup | MATH-500 Acc. (Δ) | Tokens | Ratio | Latency (s) | Speedup |',
    );
    expect(lines[2]).toBe(
      '| Qwen2.5-0.5B | Original | 1.0 | 75.0 | 20.0 | 1.00 | 3.00 | 1.00x | 100.0 | 20.0 | 1.00 | 3.00 | 1.00x |',
    );
    expect(lines[3]).toContain('| – | – | – | – | – |');
  });

  it('CSV: one row per run, empty cells for missing values', () => {
    const csv = toCsv(summaries).trim().split('\n');
    expect(csv[0]).toBe(
      'name,model,dataset,method,gamma,original,n,correct,accuracy_pct,delta_acc_pct,mean_cot_tokens,actual_ratio,mean_latency_s,speedup,decode_tokens_per_s,baseline',
    );
    expect(csv[1]).toBe('orig,Qwen2.5-0.5B,gsm8k,Original,1,true,4,3,75,0,20,1,3,1,,orig');
    expect(csv[2]).toBe(
      'ts-0.5,Qwen2.5-0.5B,gsm8k,TokenSkip,0.5,false,4,2,50,-25,10,0.5,1.5,2,45,orig',
    );
    expect(
      toCsv([{ ...summaries[0]!, name: 'a,"b"' }])
        .split('\n')[1]!
        .startsWith('"a,""b"""'),
    ).toBe(true);
  });

  it('JSON holds meta, summaries and per-sample records', () => {
    const parsed = JSON.parse(toJson(summaries, { tokenizer: 'words' })) as {
      meta: { tokenizer: string };
      runs: { name: string; samples: unknown[] }[];
    };
    expect(parsed.meta.tokenizer).toBe('words');
    expect(parsed.runs.map((r) => [r.name, r.samples.length])).toEqual([
      ['orig', 4],
      ['ts-0.5', 4],
    ]);
  });
});

describe('groupRuns', () => {
  it('groups flat records per model, dataset, method and γ, in first-seen order', () => {
    const base = { model: 'm', dataset: 'gsm8k' };
    const runs = groupRuns([
      {
        ...base,
        method: 'Original',
        gamma: 1,
        original: true,
        correct: true,
        cotTokens: 10,
        id: 'a',
      },
      { ...base, method: 'TokenSkip', gamma: 0.6, correct: false, cotTokens: 6, latencyS: 1 },
      { ...base, method: 'Original', gamma: 1, original: true, correct: false, cotTokens: 20 },
      { ...base, method: 'TokenSkip', gamma: 0.6, correct: true, cotTokens: 4, latencyS: 2 },
    ]);
    expect(runs.map((r) => [r.name, r.gamma, r.original, r.samples.length])).toEqual([
      ['m gsm8k Original γ=1', 1, true, 2],
      ['m gsm8k TokenSkip γ=0.6', 0.6, undefined, 2],
    ]);
    expect(runs[0]!.samples[0]).toEqual({ correct: true, cotTokens: 10, id: 'a' });
    const [o, t] = summarizeRuns(runs);
    expect(o!.meanCotTokens).toBe(15);
    expect(t).toMatchObject({ accuracyPct: 50, actualRatio: 5 / 15, meanLatencyS: 1.5 });
  });

  it('names runs by their run field or their source, and never mixes sources', () => {
    const runs = groupRuns([
      { run: 'named', source: 'a.jsonl', correct: true },
      { source: 'a.jsonl', correct: true },
      { source: 'b.jsonl', correct: true, gamma: 0.5 },
      { source: 'b.jsonl', correct: false, gamma: 0.7 },
      { run: 'named', source: 'b.jsonl', correct: false },
    ]);
    expect(runs.map((r) => [r.name, r.samples.length])).toEqual([
      ['named', 2],
      ['a.jsonl', 1],
      ['b.jsonl γ=0.5', 1],
      ['b.jsonl γ=0.7', 1],
    ]);
  });
});
