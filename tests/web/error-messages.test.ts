/**
 * Error details in every language of the app (issue 21): each error code has a headline, and each
 * message id of core/error-messages.ts has a 中文 message naming the same parameters, so no
 * error that reaches a page falls back to English under a 中文 headline. The English table is the
 * CLI's text: an error built from a detail carries exactly that message, across a worker too.
 */
import { describe, expect, it } from 'vitest';
import {
  errorMessagesEn,
  errorText,
  fillTemplate,
  type ErrorMessageId,
} from '../../src/core/error-messages.ts';
import {
  ERROR_CODES,
  TokenSkipError,
  fromSerialized,
  toTokenSkipError,
} from '../../src/core/errors.ts';
import { gammaFromUrl, validateGamma } from '../../src/core/prompts/gamma.ts';
import { parseBenchmarkParams } from '../../src/core/benchmark/plan.ts';
import { numpyPercentile } from '../../src/core/compression/numpy-percentile.ts';
import { arithSplits, parseRoles } from '../../src/core/datasets/arith.ts';
import { checkRepo } from '../../src/runtime/hub/paths.ts';
import { en } from '../../src/web/lib/locales/en.ts';
import { zh } from '../../src/web/lib/locales/zh.ts';

const placeholders = (template: string): string[] =>
  [...new Set([...template.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!))].sort();
const han = /\p{Script=Han}/u;
/** Parameters a 中文 message may leave out: third-party English text and English-only hints. */
const ENGLISH_ONLY: Partial<Record<ErrorMessageId, string[]>> = { unknownModel: ['what', 'hint'] };

describe('error headlines', () => {
  it.each(ERROR_CODES)('%s has an English and a 中文 headline', (code) => {
    expect(en.errors[code]).toMatch(/\w/);
    expect(zh.errors[code]).toMatch(han);
  });
});

describe('error details', () => {
  const ids = Object.keys(errorMessagesEn) as ErrorMessageId[];

  it('the app renders the CLI’s English table itself', () => {
    expect(en.errorDetails).toBe(errorMessagesEn);
    expect(Object.keys(zh.errorDetails).sort()).toEqual([...ids].sort());
  });

  it.each(ids)('%s has a 中文 message with the same parameters', (id) => {
    const text = zh.errorDetails[id];
    expect(text).toMatch(han);
    const enParams = placeholders(errorMessagesEn[id]);
    const omitted = new Set(['raw', ...(ENGLISH_ONLY[id] ?? [])]);
    expect(placeholders(text)).toEqual(enParams.filter((p) => !omitted.has(p)));
  });
});

describe('errors built from a detail', () => {
  it('carry the CLI’s exact English message and survive a worker boundary', () => {
    const error = new TokenSkipError('MODEL_FILE_CORRUPT', {
      id: 'fileSizeMismatch',
      params: { where: 'onnx/model.onnx', actual: 10, expected: 20 },
    });
    expect(error.message).toBe(
      "onnx/model.onnx has 10 bytes, expected 20: the file is truncated or replaced. Delete it (or clear the app's model cache) and load again.",
    );
    const back = fromSerialized(JSON.parse(JSON.stringify(error.serialize())));
    expect(back.detail).toEqual(error.detail);
    expect(back.message).toBe(error.message);
    expect(toTokenSkipError(error.serialize()).detail).toEqual(error.detail);
  });

  it('fill nested details (a download’s reason) in the same table', () => {
    const error = new TokenSkipError('MODEL_FILE_CORRUPT', {
      id: 'transferRefused',
      params: {
        where: 'tokenizer.json',
        url: 'http://127.0.0.1/t.json',
        reason: {
          id: 'reasonSizeDisagrees',
          params: { served: 5, expected: 7, expectedBy: { id: 'sizeByRegistry' } },
        },
      },
    });
    expect(error.message).toBe(
      'tokenizer.json from http://127.0.0.1/t.json: the server offers 5 bytes, the registry expects 7. Nothing of it was kept; check the model host and try again.',
    );
    expect(
      fillTemplate(zh.errorDetails.reasonSizeDisagrees, {
        served: 5,
        expected: 7,
        expectedBy: '模型清单',
      }),
    ).toBe('服务器提供 5 字节，而模型清单要求 7 字节');
  });

  it('the URL and the Benchmark parameters a page shows carry details, not just English', () => {
    const url = gammaFromUrl('1e-320', 'rate').error!;
    expect(url.detail).toEqual({
      id: 'gammaTooSmallUrl',
      params: { field: 'rate', got: '1e-320', min: '1e-15' },
    });
    expect(url.message).toMatch(/^rate in the URL 1e-320 is too small to keep any token/);
    expect(() => validateGamma(1e-320, '--rate')).toThrow(/^--rate 1e-320 is too small/);
    let bench: TokenSkipError | undefined;
    try {
      parseBenchmarkParams(new URLSearchParams('dataset=arith&n=100000'));
    } catch (error) {
      bench = error as TokenSkipError;
    }
    expect(bench?.detail?.id).toBe('benchNTooLarge');
    expect(errorText(bench!.detail!)).toBe(bench!.message);
  });

  it('once English strings, now details whose English text is unchanged', () => {
    const caught = (f: () => unknown): TokenSkipError => {
      try {
        f();
      } catch (error) {
        return error as TokenSkipError;
      }
      throw new Error('did not throw');
    };
    const cases: [TokenSkipError, string][] = [
      [
        caught(() => numpyPercentile([1], 101)),
        'Percentiles must be in the range [0, 100], got 101.',
      ],
      [
        caught(() => arithSplits(0, { train: -1, val: 0, test: 0 })),
        'train size must be a whole number from 0 to 1,000,000; got -1.',
      ],
      [caught(() => parseRoles('efx')), "unknown word role 'x' (expected e, f or c)."],
      [
        caught(() => checkRepo('../x', 'tiny')),
        'tiny: repo "../x" is not allowed (it must be owner/name of letters, digits, "_", "-" and "."); fix the registry entry.',
      ],
    ];
    for (const [error, message] of cases) {
      expect(error.detail).toBeDefined();
      expect(error.message).toBe(message);
      expect(errorText(error.detail!)).toBe(message);
    }
  });

  it('name their parameters at compile time', () => {
    // @ts-expect-error: fileSizeMismatch needs `where`, `actual` and `expected`.
    const wrong = new TokenSkipError('MODEL_FILE_CORRUPT', { id: 'fileSizeMismatch', params: {} });
    expect(wrong.message).toContain('{{where}}');
  });
});
