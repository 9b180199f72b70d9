// How much input this machine can take: the sandbox holds the input as strings and needs room to
// work on it (slices, splits, joined results), so about a third of the memory.
import { totalmem } from 'node:os';
import { RlmError } from '../../shared/errors';

export function maxInputBytes(memoryBytes = totalmem()): number {
  return Math.floor(memoryBytes / 3);
}

/** Refuses `totalBytes` of input past what the machine can hold, saying how much it can. */
export function checkInputSize(totalBytes: number, memoryBytes = totalmem(), what = 'the input is'): void {
  if (totalBytes <= maxInputBytes(memoryBytes)) return;
  throw new RlmError(
    'INPUT_TOO_LARGE',
    `${what} ${gigabytes(totalBytes)} GB; this machine's ${gigabytes(memoryBytes)} GB of memory can hold about ${gigabytes(maxInputBytes(memoryBytes))} GB of input`,
  );
}

export function gigabytes(bytes: number): string {
  return (bytes / 1024 ** 3).toFixed(1);
}
