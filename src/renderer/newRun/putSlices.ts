// Browser mode's upload of one file: slices of it as `PUT /uploads/<id>?offset=` requests
// (api/fileSender.ts), a few at once. One request body in Chromium travels at ~80 MB/s over
// loopback whatever the server does; 2 at once reached 157 MB/s, 4 211 MB/s, 8 174 MB/s
// (measured against a server that only drained them). The service takes slices in any order
// (uploadRanges.ts) and says the upload is complete once every byte has come.
import { FileSendAborted, isSliceCut, type FileSender } from '../api/fileSender';

/** Requests in flight for one file. */
export const PUT_SLICES_IN_FLIGHT = 4;
/**
 * The most bytes one request carries. Node's HTTP server cuts any request not received whole
 * within its requestTimeout (300 s by default; the browser sees a 408): 64 MiB in 300 s needs
 * 0.22 MB/s per request, which even a page reached through a slow SSH tunnel gives.
 */
export const PUT_SLICE_BYTES = 64 * 1024 * 1024;
/**
 * Waits before each new attempt at a slice whose request was cut (isSliceCut): a connection
 * through a tunnel that dropped, a server restarting. Three attempts in all; a slice refused
 * for its bytes (binary, overlap, disk full) is never sent again.
 */
export const SLICE_RETRY_DELAYS_MS = [500, 2000];
/** Below this a slice costs more in its request than it gains by going beside others. */
const MIN_SLICE_BYTES = 4 * 1024 * 1024;

export interface Slice {
  offset: number;
  end: number;
}

/**
 * The slices of a file of `size` bytes: twice as many as go at once, so that requests that run at
 * different speeds still end near together, none past `maxBytes` nor (the last aside) below
 * MIN_SLICE_BYTES. An empty file is one empty slice: its empty PUT learns that it is complete.
 */
export function planSlices(size: number, inFlight = PUT_SLICES_IN_FLIGHT, maxBytes = PUT_SLICE_BYTES): Slice[] {
  const bytes = Math.min(maxBytes, Math.max(MIN_SLICE_BYTES, Math.ceil(size / (inFlight * 2))));
  if (size === 0) return [{ offset: 0, end: 0 }];
  const slices: Slice[] = [];
  for (let offset = 0; offset < size; offset += bytes) slices.push({ offset, end: Math.min(size, offset + bytes) });
  return slices;
}

export interface PutSlicesOptions {
  signal: AbortSignal;
  /** Bytes received so far (see below). */
  onProgress(received: number): void;
  inFlight?: number;
  sliceBytes?: number;
  retryDelaysMs?: readonly number[];
}

/**
 * Sends every slice, `inFlight` at once; resolves once the service said the file is complete.
 * The first failure stops the other requests and rejects with its error.
 *
 * Progress counts a slice whole only once the service answered for it; a slice on its way counts
 * what the browser says it sent, one byte short of its size, so the line never reads 100% before
 * the service holds every byte, and it never goes back.
 */
export async function putSlices(sender: FileSender, uploadId: string, blob: Blob, options: PutSlicesOptions): Promise<void> {
  // Aborted already (while uploads.begin was answered): its listener below would never fire, and every slice would go.
  if (options.signal.aborted) throw new FileSendAborted();
  const slices = planSlices(blob.size, options.inFlight, options.sliceBytes);
  const counted = slices.map(() => 0);
  let shown = 0;
  // Four requests each report their progress ~20 times a second, and each report re-renders the
  // input's line: told only in steps of 1/256th of the file (and at its end).
  const step = Math.max(1, Math.floor(blob.size / 256));
  const count = (i: number, bytes: number) => {
    counted[i] = Math.max(counted[i] as number, bytes);
    const total = counted.reduce((sum, n) => sum + n, 0);
    if (total <= shown || (total - shown < step && total !== blob.size)) return;
    shown = total;
    options.onProgress(total);
  };
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  let next = 0;
  let complete = false;
  const run = async (): Promise<void> => {
    while (next < slices.length && !stop.signal.aborted) {
      const i = next++;
      const { offset, end } = slices[i] as Slice;
      const size = end - offset;
      const onProgress = (sent: number) => count(i, Math.min(sent, Math.max(0, size - 1)));
      const result = await sendAgainIfCut(() => sender(uploadId, blob.slice(offset, end), { offset, signal: stop.signal, onProgress }), stop.signal, options.retryDelaysMs ?? SLICE_RETRY_DELAYS_MS);
      count(i, size);
      if (result.complete) complete = true;
    }
  };
  try {
    const lanes = Array.from({ length: Math.min(slices.length, options.inFlight ?? PUT_SLICES_IN_FLIGHT) }, () =>
      run().catch((error: unknown) => {
        stop.abort();
        throw error;
      }),
    );
    // The first failure is the one told; the others are requests it stopped.
    await firstFailure(lanes);
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
  if (!complete) throw { code: 'INTERNAL', message: 'the service did not receive the whole file' };
}

/** One slice's request, made again after each cut while `delaysMs` lasts; any other failure at once. */
async function sendAgainIfCut<T>(send: () => Promise<T>, signal: AbortSignal, delaysMs: readonly number[]): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const delayMs = delaysMs[attempt];
      if (!isSliceCut(error) || delayMs === undefined || signal.aborted) throw error;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delayMs);
        signal.addEventListener('abort', done, { once: true });
        function done() {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
      });
      if (signal.aborted) throw new FileSendAborted();
    }
  }
}

/** Waits for every promise; rejects with the first rejection, in time, once all have settled. */
async function firstFailure(promises: Array<Promise<void>>): Promise<void> {
  let failed = false;
  let first: unknown;
  await Promise.all(
    promises.map((promise) =>
      promise.catch((error: unknown) => {
        if (failed) return;
        failed = true;
        first = error;
      }),
    ),
  );
  if (failed) throw first;
}
