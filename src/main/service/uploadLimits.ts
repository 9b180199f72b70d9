// What the service lets the page keep waiting in its upload folder, and the disk-space check an
// upload passes before its first byte: uploads.ts checks both at `uploads.begin`.
import { statfs } from 'node:fs/promises';
import { RlmError } from '../../shared/errors';
import { gigabytes, maxInputBytes } from '../input/inputSize';

export interface UploadLimits {
  /** Uploads still receiving bytes at once: each holds an open file. */
  maxReceiving: number;
  /** Uploads waiting for a run, received or not (a dropped folder is one upload per file). */
  maxWaiting: number;
  /** Bytes announced by the uploads waiting for a run: no run could take more. */
  maxBytes: number;
  /** An upload no run has taken is dropped after this long without a chunk. */
  idleMs: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxReceiving: 32,
  maxWaiting: 100_000,
  maxBytes: maxInputBytes(),
  idleMs: 3600_000,
};

/** Refuses one more upload of `bytes` named `name` beside `uploads` (any state) past the limits. */
export function checkCaps(limits: UploadLimits, uploads: ReadonlyArray<{ state: string; bytes: number }>, name: string, bytes: number): void {
  const waiting = uploads.filter((u) => u.state === 'receiving' || u.state === 'complete');
  if (waiting.filter((u) => u.state === 'receiving').length >= limits.maxReceiving) {
    throw new RlmError('INVALID_INPUT', `${limits.maxReceiving} uploads are already being received; send ${name} once one of them is complete`);
  }
  if (waiting.length >= limits.maxWaiting) {
    throw new RlmError('INVALID_INPUT', `${limits.maxWaiting} uploads are waiting for a run; start a run or cancel some before sending ${name}`);
  }
  const waitingBytes = waiting.reduce((sum, u) => sum + u.bytes, 0);
  if (waitingBytes + bytes > limits.maxBytes) {
    throw new RlmError(
      'INPUT_TOO_LARGE',
      `${name} (${gigabytes(bytes)} GB) would bring the files waiting for a run to ${gigabytes(waitingBytes + bytes)} GB; a run can take about ${gigabytes(limits.maxBytes)} GB`,
    );
  }
}

export async function checkDiskSpace(folder: string, name: string, bytes: number): Promise<void> {
  let free: number;
  try {
    const info = await statfs(folder);
    free = info.bavail * info.bsize;
  } catch {
    return; // no answer from the file system: the write itself will tell
  }
  if (bytes > free) {
    throw new RlmError('INPUT_TOO_LARGE', `not enough disk space for ${name}: ${gigabytes(bytes)} GB needed, ${gigabytes(free)} GB free in ${folder}`);
  }
}
