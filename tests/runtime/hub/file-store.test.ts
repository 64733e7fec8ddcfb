/**
 * The one file-store interface (src/runtime/hub/file-store.ts) on the Node file system: the hash
 * and revision records both model stores keep through it, written whole and read back, and keys
 * that leave the store refused. (The Cache Storage implementation runs in e2e/models.spec.ts.)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashRecords, revisionRecords } from '../../../src/runtime/hub/file-store.ts';
import { nodeFileStore } from '../../../src/runtime/hub/node/fs-store.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-file-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('file store on the file system', () => {
  const store = nodeFileStore(root);

  it('writes whole, reads back, sizes and deletes', async () => {
    await store.write('a/b/file.bin', new Uint8Array([1, 2, 3]));
    expect(await store.read('a/b/file.bin')).toEqual(new Uint8Array([1, 2, 3]));
    expect(await store.size('a/b/file.bin')).toBe(3);
    await store.delete('a/b/file.bin');
    expect(await store.read('a/b/file.bin')).toBeUndefined();
    await store.delete('a/b/file.bin'); // nothing there: not an error
  });

  it('streams a body in (nothing under the key until it ends) and moves a finished file', async () => {
    const chunks = [new Uint8Array([1, 2]), new Uint8Array([3])];
    let seenMidway: number | undefined;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = chunks.shift();
        if (!next) return controller.close();
        if (chunks.length === 0) seenMidway = await store.size('s/model.bin');
        controller.enqueue(next);
      },
    });
    await store.writeStream('s/model.bin', body, 3);
    expect(seenMidway).toBeUndefined();
    expect(await store.read('s/model.bin')).toEqual(new Uint8Array([1, 2, 3]));
    await store.move('s/model.bin', 's/moved/model.bin');
    expect(await store.size('s/model.bin')).toBeUndefined();
    expect(await store.read('s/moved/model.bin')).toEqual(new Uint8Array([1, 2, 3]));
    const failing = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.error(new Error('cut')),
    });
    await expect(store.writeStream('s/cut.bin', failing)).rejects.toThrow('cut');
    expect(await store.size('s/cut.bin')).toBeUndefined();
    await expect(store.move('../x', 's/y')).rejects.toThrow(/lies outside the model store/);
  });

  it('two writes of one key at once both succeed (each has its own temp file)', async () => {
    // Before the plan, three parallel reads of an unpinned hub model each recorded its revision,
    // and the shared temp name made two of them fail with ENOENT on rename.
    await Promise.all(
      [1, 2, 3].map((n) => store.write('o/race/revision.json', new Uint8Array([n]))),
    );
    expect((await store.read('o/race/revision.json'))?.byteLength).toBe(1);
  });

  it('refuses a key outside the store, writing nothing there', async () => {
    await expect(store.write('../escaped.txt', new Uint8Array([1]))).rejects.toThrow(
      /lies outside the model store/,
    );
    expect(existsSync(path.join(root, '..', 'escaped.txt'))).toBe(false);
  });

  it('hash records keep where the hash came from; a broken record counts as none', async () => {
    const records = hashRecords(store, (file) => `${file}.sha256.json`);
    await records.set('m/config.json', { size: 5, sha256: 'ab'.repeat(32), from: 'hub' });
    expect(await records.get('m/config.json')).toEqual({
      size: 5,
      sha256: 'ab'.repeat(32),
      from: 'hub',
    });
    expect(JSON.parse(readFileSync(path.join(root, 'm/config.json.sha256.json'), 'utf8'))).toEqual({
      size: 5,
      sha256: 'ab'.repeat(32),
      from: 'hub',
    });
    writeFileSync(path.join(root, 'm/config.json.sha256.json'), '{"size": "5"');
    expect(await records.get('m/config.json')).toBeUndefined();
    await records.forget('m/config.json');
    expect(existsSync(path.join(root, 'm/config.json.sha256.json'))).toBe(false);
  });

  it('revision records are checked when read back', async () => {
    const revisions = revisionRecords(store, (repo) => `${repo}/revision.json`);
    await revisions.set('o/r', 'c'.repeat(40));
    expect(await revisions.get('o/r')).toBe('c'.repeat(40));
    expect(await revisions.get('o/none')).toBeUndefined();
    writeFileSync(path.join(root, 'o/r/revision.json'), JSON.stringify({ revision: '../..' }));
    await expect(revisions.get('o/r')).rejects.toThrow(/revision "..\/.." is not allowed/);
  });
});
