/**
 * Child processes that end with their parent. A pipeline (`tokenskip mini`) runs each step in a
 * child; killed, it must not leave that child running (it holds the step's output lock, so a rerun
 * would be refused with OUTPUT_IN_USE until it ends). Two parts:
 *
 * - SIGINT / SIGTERM / SIGHUP received by the parent are forwarded to the child (which saves what
 *   it can and exits); the parent then fails the step when the child closes.
 * - kill -9 cannot be caught, so a small detached watchdog process watches the parent: when the
 *   parent is gone (the watchdog is re-parented, or the pid is dead) it sends the child SIGTERM,
 *   then SIGKILL after a grace period. It exits as soon as the child does.
 *
 *   const child = spawn(...);
 *   const release = guardChild(child);
 *   child.on('close', release);
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Seconds a child gets between SIGTERM and SIGKILL after its parent died (to save a checkpoint). */
export const GRACE_S = 20;

const WATCHDOG = `
const [parent, child, grace] = process.argv.slice(1).map(Number);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const timer = setInterval(() => {
  if (!alive(child)) process.exit(0);
  if (process.ppid === parent && alive(parent)) return;
  clearInterval(timer);
  try { process.kill(child, 'SIGTERM'); } catch {}
  const deadline = Date.now() + grace * 1000;
  setInterval(() => {
    if (!alive(child)) process.exit(0);
    if (Date.now() > deadline) { try { process.kill(child, 'SIGKILL'); } catch {} process.exit(0); }
  }, 200);
}, 250);
`;

/**
 * Makes `child` end with this process (see the top of this file). Returns the function that
 * removes the signal handlers; call it when the child has closed.
 */
export function guardChild(
  child: ChildProcess,
  { forwardSignals = true, graceS = GRACE_S }: { forwardSignals?: boolean; graceS?: number } = {},
): () => void {
  if (child.pid === undefined) return () => undefined;
  const forward = (signal: NodeJS.Signals) => () => {
    child.kill(signal);
  };
  const handlers = forwardSignals
    ? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, forward(signal)] as const)
    : [];
  for (const [signal, handler] of handlers) process.on(signal, handler);
  const watchdog = spawn(
    process.execPath,
    ['-e', WATCHDOG, String(process.pid), String(child.pid), String(graceS)],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.on('error', () => undefined);
  watchdog.unref();
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
