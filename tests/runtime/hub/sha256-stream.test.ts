import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256 } from '../../../src/runtime/hub/sha256-stream.ts';
import { seededRandom } from '../../../src/core/prompts/tokenskip-format.ts';

describe('incremental SHA-256', () => {
  it('matches node:crypto for every padding case and any chunking', () => {
    const r = seededRandom(5);
    for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 70_001]) {
      const data = Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
      const sha = new Sha256();
      for (let i = 0; i < n;) {
        const k = Math.min(n - i, 1 + Math.floor(r() * 150));
        sha.update(data.subarray(i, i + k));
        i += k;
      }
      expect(sha.hex(), `${n} bytes`).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });
});
