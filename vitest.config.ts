import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The slowest test files, slowest first (measured: `npx vitest run --reporter=json`, the machine
 * shared with other jobs, so the order matters more than the seconds). Two workers
 * take files in order, so one of these started last would run alone at the end; on a fresh clone
 * vitest has no timings of its own and orders by file size, which puts
 * tests/trainer/mini-pipeline.test.ts twentieth.
 */
const SLOWEST = [
  'tests/cli/fault-injection.test.ts', // 330-533 s on a loaded 2-core machine
  'tests/trainer/mini-pipeline.test.ts', // 391 s (smoke size)
  'tests/docs/readme-commands.test.ts', // 211 s (builds the app when dist/ is stale)
  'tests/cli/compress-rates.test.ts',
  'tests/cli/compress-cli.test.ts',
  'tests/cli/hostile-inputs.test.ts',
  'tests/runtime/hub/hostile-hub.test.ts',
  'tests/cli/models-cli.test.ts',
  'tests/trainer/trainer-modules.test.ts',
  'tests/trainer/pipeline.test.ts',
];

/**
 * Vitest's own order (BaseSequencer in vitest 4.1 dist/chunks/coverage.*.js `sort`: failed first,
 * then by its recorded duration or, with none, by file size), with the files of SLOWEST first.
 */
class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOWEST.indexOf(path.relative(this.ctx.config.root, f.moduleId));
      return i < 0 ? SLOWEST.length : i;
    };
    return sorted
      .map((f, i) => ({ f, i, r: rank(f) }))
      .sort((a, b) => a.r - b.r || a.i - b.i)
      .map((x) => x.f);
  }
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores here: keep ORT sessions from fighting over them.
    maxWorkers: 2,
    sequence: { sequencer: SlowestFirst },
  },
});
