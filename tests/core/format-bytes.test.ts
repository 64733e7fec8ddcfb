import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/core/format-bytes.ts';
import { formatBytes as cliFormatBytes } from '../../src/node/pipeline/progress.ts';

describe('formatBytes (CLI and app)', () => {
  it('uses decimal units named as such', () => {
    expect(formatBytes(12)).toBe('12 B');
    expect(formatBytes(453_423)).toBe('453.4 kB');
    expect(formatBytes(3_055_871)).toBe('3.06 MB');
    expect(formatBytes(7_737_456)).toBe('7.74 MB');
    expect(formatBytes(2_818_002_200)).toBe('2.82 GB');
    expect(formatBytes(999_960)).toBe('1.00 MB');
  });
  it('is the same function in the CLI', () => {
    expect(cliFormatBytes).toBe(formatBytes);
  });
});
