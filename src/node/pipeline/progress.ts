/**
 * Progress bars for the pipeline commands (cli-progress on stderr). When stderr is not a terminal
 * (CI, tests, pipes) the bar stays silent and only the commands' JSON summaries are printed.
 */
import cliProgress from 'cli-progress';

export interface Bar {
  increment(n?: number, payload?: Record<string, unknown>): void;
  update(value: number, payload?: Record<string, unknown>): void;
  setTotal(total: number): void;
  stop(): void;
}

export function createBar(
  stream: NodeJS.WritableStream,
  label: string,
  total: number,
  extra = '',
  /** Draw even when the stream is not a terminal (`--progress` on a pipe). */
  force = false,
): Bar {
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WritableStream & { isTTY?: boolean },
      noTTYOutput: force,
      format: `${label.padEnd(8)} [{bar}] {percentage}% {value}/{total} ${extra}`.trimEnd(),
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    increment: (n = 1, payload) => bar.increment(n, payload),
    update: (v, payload) => bar.update(v, payload),
    setTotal: (t) => bar.setTotal(t),
    stop: () => bar.stop(),
  };
}

/** The byte formatter shared with the app (decimal units, as the hub lists sizes). */
export { formatBytes } from '../../core/format-bytes.ts';
import { formatBytes } from '../../core/format-bytes.ts';

/**
 * A download bar: bytes done / total, rate and ETA (cli-progress computes the ETA from the values
 * it sees; `formatValue` is its hook for showing them as bytes, lib/formatter.js). Silent when the
 * stream is not a terminal, like `createBar`.
 */
export function createByteBar(
  stream: NodeJS.WritableStream,
  label: string,
  total: number,
): { update(loaded: number, total?: number): void; stop(): void } {
  const started = Date.now();
  let first: number | undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WritableStream & { isTTY?: boolean },
      format: `${label} [{bar}] {percentage}% {value}/{total} {rate} ETA {eta_formatted}`,
      formatValue: (v, options, type) =>
        type === 'value' || type === 'total'
          ? formatBytes(v)
          : cliProgress.Format.ValueFormat(v, options, type),
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { rate: '' });
  return {
    update(loaded, newTotal) {
      if (newTotal !== undefined && newTotal > 0) bar.setTotal(newTotal);
      first ??= loaded; // resumed bytes do not count towards the rate
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0.2 ? `${formatBytes((loaded - first) / seconds)}/s` : '';
      bar.update(loaded, { rate });
    },
    stop: () => bar.stop(),
  };
}
