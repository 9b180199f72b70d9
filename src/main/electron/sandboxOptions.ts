// The pure part of the utility-process launcher (utilityLauncher.ts): what the sandbox process is
// started with, and how its memory is read. No electron import, so plain Node tests it.

/** The name of the sandbox in app.getAppMetrics() and in 'child-process-gone'. */
export const SANDBOX_SERVICE_NAME = 'RLMScope sandbox';

/** How much of the sandbox's stderr is kept for the exit detail (V8's out-of-memory report). */
export const STDERR_TAIL = 8 * 1024;

// The environment is shared with the Node launcher (and explained there).
export { sandboxEnvironment } from '../sandbox/host/environment';

/**
 * The utility process drops Node's own flags (only a short allow-list passes, and neither the
 * permission model's `--permission`/`--allow-fs-read` nor `--max-old-space-size` is on it), so
 * none are passed. V8 flags reach it through Chromium's `--js-flags` switch: the heap cap, and no
 * code generation from strings even in the harness's own realm, so a leaked host Function
 * cannot compile anything.
 */
export function sandboxExecArgv(memoryMb: number): string[] {
  if (!Number.isInteger(memoryMb) || memoryMb < 1) throw new Error(`invalid sandbox memory limit: ${memoryMb} MB`);
  return [`--js-flags=--max-old-space-size=${memoryMb} --disallow-code-generation-from-strings`];
}

export interface ProcessMetricLike {
  pid: number;
  /** Electron reports kilobytes. */
  memory: { workingSetSize: number };
}

/** Resident memory of `pid` in bytes from app.getAppMetrics(), or null when it is not listed. */
export function workingSetBytes(metrics: readonly ProcessMetricLike[], pid: number): number | null {
  const entry = metrics.find((metric) => metric.pid === pid);
  return entry ? entry.memory.workingSetSize * 1024 : null;
}

/** Appends to a bounded tail of text: the last `limit` characters are kept. */
export function appendTail(tail: string, chunk: string, limit = STDERR_TAIL): string {
  const joined = tail + chunk;
  return joined.length > limit ? joined.slice(-limit) : joined;
}
