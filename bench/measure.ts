// Small measuring tools shared by the benchmarks: order statistics, a garbage collection on
// demand, and the peak resident memory of a process.
import { readFileSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const MB = 1024 * 1024;

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile: a value that was actually measured, never an interpolation. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable between processes. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

let gc: (() => void) | null = null;

// Memory figures start from a collected heap, so garbage left by an earlier benchmark does not
// count against the next one. --expose-gc is set at run time to keep `npm run bench` a plain
// `tsx` command; a fresh context then picks the `gc` global up.
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
}

/**
 * The high-water mark of a process's resident memory (VmHWM), in bytes: the kernel's own peak,
 * so nothing between two samples is missed. Linux only; NaN elsewhere.
 */
export function peakResidentBytes(pid: number | 'self'): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Resets this process's VmHWM to its current resident memory (Linux: /proc/self/clear_refs). */
export function resetPeakResident(): boolean {
  try {
    // "5" clears the peak RSS counter only (Documentation/filesystems/proc.rst).
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}
