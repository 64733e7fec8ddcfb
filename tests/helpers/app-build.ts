/**
 * The built app, once per state of its sources: every test that needs `vite build`'s output
 * (tests/web/bundle-size.test.ts, the README's build and bench commands, the Playwright web server)
 * asks this helper, which builds into `dist/` only when the sources changed since the last build.
 * Before it, one `npm test` ran `vite build` five times (about a minute each on a busy 2-core machine).
 *
 * - The build is the README's `npm run build`, with Vite's manifest (`--manifest`, which
 *   bench/bundle-measure.ts reads; the service worker does not precache it: src/node/vite-pwa.ts).
 * - Its key hashes what the build reads: the app's sources, the folders it copies (models/, data/,
 *   public/), its configs and the lockfile. `dist/.build-key.json` records the key and the build's
 *   log; a build by hand (`npm run build`) empties dist/ and so drops the record.
 * - It builds into a scratch folder and renames that to dist/, so an interrupted build leaves no
 *   half-written dist/ behind; a lock folder (with the builder's pid) keeps two test files (vitest
 *   runs two at once) from building at the same time.
 *
 * Each test stays runnable alone: the first caller builds.
 *
 *   npx tsx tests/helpers/app-build.ts         # build dist/ unless it is up to date; prints its folder
 *   npx tsx tests/helpers/app-build.ts --log   # the same, then prints that build's `npm run build` log
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(import.meta.dirname, '../..');
export const distDir = path.join(repoRoot, 'dist');
const STAMP = '.build-key.json';
const LOCK = path.join(repoRoot, '.cache', 'app-build.lock');
/** The build command: the README's `npm run build`, plus the manifest bench/bundle-measure.ts reads. */
const BUILD_ARGS = ['run', 'build', '--', '--manifest', '--emptyOutDir'];

/** Files and folders (relative to the repo) whose content the build depends on. */
const INPUTS = [
  'index.html',
  'vite.config.ts',
  'svelte.config.js',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.web.json',
  'src',
  'public',
  'models',
  'data',
];

function files(rel: string): string[] {
  const abs = path.join(repoRoot, rel);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(repoRoot, path.join(d.parentPath, d.name)));
}

/** sha256 over the build command and every input file's path and content. */
export function buildKey(): string {
  const h = createHash('sha256').update(`${BUILD_ARGS.join(' ')}\n`);
  for (const f of INPUTS.flatMap(files).sort()) {
    h.update(`${f}\0`);
    h.update(readFileSync(path.join(repoRoot, f)));
    h.update('\0');
  }
  return h.digest('hex');
}

export interface AppBuild {
  /** The built app (dist/). */
  dir: string;
  /** Whether this call built it (false: an earlier build of the same sources was reused). */
  built: boolean;
  /** The output of the `npm run build` that made it. */
  log: string;
  /** How long that build took, in seconds. */
  seconds: number;
}

interface Stamp {
  key: string;
  log: string;
  seconds: number;
}

function readStamp(): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(path.join(distDir, STAMP), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockAgeMs(): number {
  try {
    return Date.now() - statSync(LOCK).mtimeMs;
  } catch {
    return 0;
  }
}

/** Takes the build lock, waiting while a live process holds it; a dead holder's lock is taken over. */
async function lock(): Promise<void> {
  mkdirSync(path.dirname(LOCK), { recursive: true });
  for (const started = Date.now(); ;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(path.join(LOCK, 'pid'), 'utf8'));
    } catch {
      // Taken a moment ago, its pid not written yet (or its taker died then: see lockAgeMs).
    }
    const dead = Number.isInteger(holder) && holder > 0 ? !alive(holder) : lockAgeMs() > 60_000;
    if (dead) rmSync(LOCK, { recursive: true, force: true });
    else if (Date.now() - started > 15 * 60_000)
      throw new Error(`app build: ${LOCK} held for 15 minutes; remove it if no build is running.`);
    else await sleep(500);
  }
}

/** dist/, built from the current sources (by this call, or by an earlier one that saw the same). */
export async function ensureAppBuild(): Promise<AppBuild> {
  const key = buildKey();
  const reuse = (s: Stamp | undefined) =>
    s?.key === key ? { dir: distDir, built: false, log: s.log, seconds: s.seconds } : undefined;
  const ready = reuse(readStamp());
  if (ready) return ready;
  await lock();
  try {
    // Another test file may have built it while this one waited for the lock.
    const meanwhile = reuse(readStamp());
    if (meanwhile) return meanwhile;
    // Scratch folders of builds that were killed part-way (this one's included) go first.
    for (const old of readdirSync(path.dirname(LOCK)).filter((n) => /^app-build-\d+$/.test(n)))
      rmSync(path.join(path.dirname(LOCK), old), { recursive: true, force: true });
    const scratch = path.join(repoRoot, '.cache', `app-build-${process.pid}`);
    const t0 = performance.now();
    const r = spawnSync('npm', [...BUILD_ARGS, '--outDir', scratch], {
      cwd: repoRoot,
      encoding: 'utf8',
      // NODE_ENV: a caller's value leaks into Vite's mode otherwise. Under vitest (NODE_ENV=test) the
      // build was a development one: Svelte's dev runtime and no service worker registration (the
      // app registers it only when import.meta.env.PROD), which failed the offline e2e specs.
      env: { ...process.env, NODE_ENV: 'production', FORCE_COLOR: '0', NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    const seconds = Math.round((performance.now() - t0) / 100) / 10;
    const log = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (r.status !== 0) {
      rmSync(scratch, { recursive: true, force: true });
      throw new Error(`app build: \`npm ${BUILD_ARGS.join(' ')}\` failed:\n${log.slice(-3000)}`);
    }
    writeFileSync(path.join(scratch, STAMP), JSON.stringify({ key, log, seconds }));
    rmSync(distDir, { recursive: true, force: true });
    renameSync(scratch, distDir);
    return { dir: distDir, built: true, log, seconds };
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const b = await ensureAppBuild();
  process.stderr.write(
    b.built ? `app build: built in ${b.seconds} s\n` : 'app build: dist/ is up to date\n',
  );
  process.stdout.write(process.argv.includes('--log') ? b.log : `${b.dir}\n`);
}
