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
): Bar {
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WritableStream & { isTTY?: boolean },
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
