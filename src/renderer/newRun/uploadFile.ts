// Sends one file to the service: in browser mode as HTTP requests (a few at once, putSlices.ts)
// that the browser streams from the disk (api/fileSender.ts), otherwise in chunks (uploads.begin, then
// uploads.append in order), so a 1 GB file never sits in memory whole: each chunk is sliced from the File (no read until then)
// and read as bytes with Blob.arrayBuffer (asynchronous, no encoding on the page), the next
// chunk read while the service takes the current one. The bytes go as they are: one binary
// WebSocket frame in browser mode (wsClient.ts), a structured clone over IPC in the desktop app.
// (Base64 in JSON, before, cost the page's main thread ~85 ms of CPU per MB; bytes cost ~22.)
// A few chunks are in flight at once: the service accepts a chunk's place in the file as it
// arrives and writes them in order (uploads.ts), and waiting for each answer before sending the
// next would leave the line idle half the time.
import type { MethodResult, RlmApi } from '../../shared/api';
import type { UploadPurpose } from '../../shared/api/uploads';
import { UPLOAD_CHUNK_BYTES_MAX } from '../../shared/schemas';
import { FileSendAborted, fileSender, type FileSender } from '../api/fileSender';
import { putSlices } from './putSlices';

/**
 * 1 MiB, picked by measuring a 200 MB upload in Chromium on a loaded 2-core machine (binary
 * frames): 1 MiB chunks ran at 22-24 MB/s with every animation frame on time (p95 16.8 ms); 2 MiB
 * gave 25-27 MB/s and 4 MiB 31 MB/s, but each chunk then costs the main thread a task long enough
 * to drop every other frame (p95 33 ms). Smaller chunks cost more per byte (512 KiB: 19 MB/s).
 */
export const CHUNK_BYTES = 1024 * 1024;
/**
 * Chunks sent and not yet answered, at most: while the service writes one, the next is on its
 * way. 2 and 4 measured the same on loopback; 4 leaves slack for a service that pauses (a slow
 * disk, a GC) at 4 MiB of memory per file.
 */
export const CHUNKS_IN_FLIGHT = 4;
/** The service's cap on one upload (uploadBeginSchema). */
export const MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

export interface Chunk {
  offset: number;
  end: number;
}

/** The chunks of a file of this size; an empty file still sends one (empty) chunk to complete. */
export function planChunks(size: number, chunkBytes = CHUNK_BYTES): Chunk[] {
  if (chunkBytes <= 0 || chunkBytes > UPLOAD_CHUNK_BYTES_MAX) throw new RangeError(`chunk size ${chunkBytes} out of range`);
  if (size === 0) return [{ offset: 0, end: 0 }];
  const chunks: Chunk[] = [];
  for (let offset = 0; offset < size; offset += chunkBytes) chunks.push({ offset, end: Math.min(size, offset + chunkBytes) });
  return chunks;
}

/** The bytes of a slice of a file. */
export async function readBytes(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

export interface UploadOptions {
  name: string;
  /** What the file is for (uploads.begin): a run's input (text only, the default) or an import. */
  purpose?: UploadPurpose;
  signal: AbortSignal;
  /** Bytes sent so far, after each chunk the service acknowledged. */
  onProgress(sent: number): void;
  chunkBytes?: number;
  inFlight?: number;
  /** Reads a slice (default: readBytes); tests pass one that records or waits. */
  read?(blob: Blob): Promise<Uint8Array>;
  /** Sends the whole file in one request (default: browser mode's, fileSender.ts); null sends chunks. */
  sender?: FileSender | null;
  /** The most bytes one request of `sender` carries (default PUT_SLICE_BYTES); tests pass less. */
  sliceBytes?: number;
  /** Requests of `sender` at once (default PUT_SLICES_IN_FLIGHT). */
  slicesInFlight?: number;
  /** Tests: the waits before sending a cut slice again (putSlices.ts). */
  sliceRetryDelaysMs?: readonly number[];
}

export class UploadAborted extends Error {
  constructor() {
    super('upload cancelled');
    this.name = 'UploadAborted';
  }
}

/**
 * Uploads the blob and returns its upload id. Rejects with the service's ErrorData, or with
 * UploadAborted after the signal fired (the service's half-received upload is then cancelled).
 */
export async function uploadBlob(api: Pick<RlmApi, 'call'>, blob: Blob, options: UploadOptions): Promise<string> {
  if (options.signal.aborted) throw new UploadAborted();
  const chunks = planChunks(blob.size, options.chunkBytes);
  const read = options.read ?? readBytes;
  const readAt = (i: number): Promise<Uint8Array> => {
    const chunk = chunks[i] as Chunk;
    const reading = read(blob.slice(chunk.offset, chunk.end));
    reading.catch(() => undefined); // read ahead: a failure is seen when awaited, or never if stopped first
    return reading;
  };
  const { uploadId } = await api.call('uploads.begin', { name: options.name, bytes: blob.size, ...(options.purpose ? { purpose: options.purpose } : {}) });
  const sender = options.sender === undefined ? fileSender() : options.sender;
  if (sender) return sendWhole(api, sender, uploadId, blob, options);
  const sent: Array<Promise<MethodResult<'uploads.append'>>> = [];
  try {
    let complete = false;
    const settleOldest = async () => {
      const result = await (sent.shift() as Promise<MethodResult<'uploads.append'>>);
      complete = result.complete;
      options.onProgress(result.received);
    };
    let next = readAt(0);
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i] as Chunk;
      if (options.signal.aborted) throw new UploadAborted();
      const data = await next;
      if (i + 1 < chunks.length) next = readAt(i + 1);
      if (options.signal.aborted) throw new UploadAborted();
      const append = api.call('uploads.append', { uploadId, offset: chunk.offset, data });
      append.catch(() => undefined); // seen when its turn to be awaited comes
      sent.push(append);
      while (sent.length >= (options.inFlight ?? CHUNKS_IN_FLIGHT)) await settleOldest();
    }
    while (sent.length > 0) await settleOldest();
    if (options.signal.aborted) throw new UploadAborted();
    if (!complete) throw { code: 'INTERNAL', message: 'the service did not receive the whole file' };
    return uploadId;
  } catch (error) {
    // Free what the service holds of a file that will never be used; its own error is secondary.
    api.call('uploads.cancel', { uploadId }).catch(() => undefined);
    throw error;
  }
}

/** The file as slices sent at once (browser mode, putSlices.ts); the service's half-received upload is cancelled on failure. */
async function sendWhole(api: Pick<RlmApi, 'call'>, sender: FileSender, uploadId: string, blob: Blob, options: UploadOptions): Promise<string> {
  try {
    await putSlices(sender, uploadId, blob, { signal: options.signal, onProgress: options.onProgress, sliceBytes: options.sliceBytes, inFlight: options.slicesInFlight, retryDelaysMs: options.sliceRetryDelaysMs });
    if (options.signal.aborted) throw new UploadAborted();
    return uploadId;
  } catch (error) {
    api.call('uploads.cancel', { uploadId }).catch(() => undefined);
    throw error instanceof FileSendAborted || options.signal.aborted ? new UploadAborted() : error;
  }
}
