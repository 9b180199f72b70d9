// Sends one file to the service in chunks (uploads.begin, then uploads.append in order), so a
// 1 GB file never sits in memory whole: each chunk is sliced from the File (no read until then)
// and turned into base64 by the reader given (chunkReader.ts: in a worker), the next chunk read
// while the service takes the current one. A few chunks are in flight at once: the service
// accepts a chunk's place in the file as it arrives and writes them in order (uploads.ts), and
// waiting for each answer before sending the next would leave the line idle half the time.
import type { MethodResult, RlmApi } from '../../shared/api';
import { UPLOAD_CHUNK_BYTES_MAX } from '../../shared/schemas';

/**
 * 256 KiB. Sending a chunk costs the page's main thread a JSON.stringify and a WebSocket.send of
 * its base64 (measured in Chromium under load: ≈80 ms per MiB, nearly all in send), one chunk
 * per task: 4 MiB chunks made 300 ms stalls, 256 KiB ones keep each under a frame or two.
 */
export const CHUNK_BYTES = 256 * 1024;
/** Chunks sent and not yet answered, at most: enough to hide the round trips of small chunks. */
export const CHUNKS_IN_FLIGHT = 8;
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

/** Base64 of a blob by FileReader on the page (a data: URL, whose prefix is dropped): the fallback where no worker runs. */
export function readBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(blob);
  });
}

export interface UploadOptions {
  name: string;
  signal: AbortSignal;
  /** Bytes sent so far, after each chunk the service acknowledged. */
  onProgress(sent: number): void;
  chunkBytes?: number;
  /** Base64 of a slice: chunkReader.ts in the page, a plain function in tests. */
  read(blob: Blob): Promise<string>;
  inFlight?: number;
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
  const readAt = (i: number): Promise<string> => {
    const chunk = chunks[i] as Chunk;
    const reading = options.read(blob.slice(chunk.offset, chunk.end));
    reading.catch(() => undefined); // read ahead: a failure is seen when awaited, or never if stopped first
    return reading;
  };
  const { uploadId } = await api.call('uploads.begin', { name: options.name, bytes: blob.size });
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
