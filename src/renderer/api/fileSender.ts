// How a file's bytes reach the service. Everywhere they can go in chunks through the RlmApi
// (`uploads.append`); in browser mode they go as the bodies of `PUT /uploads/<id>?offset=`
// requests, a few slices at once (newRun/putSlices.ts), which the browser streams from the disk
// off the page's thread. On a 2-core machine (`npm run bench -- --only upload`) chunks read and
// framed on the page reached 22-33 MB/s; one PUT about 80 MB/s, with no page task over 50 ms.
// The desktop app has no such route and keeps the chunks (structured clones over IPC).
import type { ErrorData } from '../../shared/errors';

export interface FileSendOptions {
  /** Where the blob's first byte goes in the file: slices of one file go at once, in any order. */
  offset: number;
  signal: AbortSignal;
  /** Bytes on their way so far (the browser's count of what it sent). */
  onProgress(sent: number): void;
}

/** Sends a slice of the file as the body of one request; resolves as `uploads.append` does (bytes received over all slices). */
export type FileSender = (uploadId: string, blob: Blob, options: FileSendOptions) => Promise<{ received: number; complete: boolean }>;

let current: FileSender | null = null;

/** Set once by connectApi in browser mode; null (the default) sends chunks. */
export function setFileSender(sender: FileSender | null): void {
  current = sender;
}

export function fileSender(): FileSender | null {
  return current;
}

/**
 * A request that failed on its way (the connection cut, a proxy's timeout): the service kept
 * none of it, or all of it if only its answer was lost, and the same slice may be sent again.
 */
export interface SliceCut extends ErrorData {
  retryable: true;
}

export function isSliceCut(error: unknown): error is SliceCut {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

/** Statuses a proxy or the server answers a request it did not take with (Node's 408: a body that came too slowly). */
const RETRYABLE_STATUSES = new Set([408, 502, 503, 504]);

/** Rejected with when the signal aborts the request. */
export class FileSendAborted extends Error {
  constructor() {
    super('upload cancelled');
    this.name = 'FileSendAborted';
  }
}

/**
 * `PUT /uploads/<id>` with XMLHttpRequest: unlike fetch, it reports the body's progress. The page's
 * cookie carries the token, and the server checks the Origin (httpHandler.ts).
 */
export const putFile: FileSender = (uploadId, blob, { offset, signal, onProgress }) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new FileSendAborted());
    const request = new XMLHttpRequest();
    const onAbort = () => request.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal.removeEventListener('abort', onAbort);
    request.open('PUT', `/uploads/${encodeURIComponent(uploadId)}?offset=${offset}`);
    request.responseType = 'json';
    request.upload.onprogress = (event) => onProgress(event.loaded);
    request.onload = () => {
      settle();
      const body = request.response as unknown;
      if (request.status === 200 && isReceived(body)) return resolve(body);
      if (isErrorData(body)) return reject(body);
      const message = `the upload was refused (HTTP ${request.status})`;
      reject(RETRYABLE_STATUSES.has(request.status) ? ({ code: 'INTERNAL', message, retryable: true } satisfies SliceCut) : ({ code: 'INTERNAL', message } satisfies ErrorData));
    };
    request.onerror = () => {
      settle();
      reject({ code: 'INTERNAL', message: 'the upload was cut: the connection to rlmscope serve closed', retryable: true } satisfies SliceCut);
    };
    request.onabort = () => {
      settle();
      reject(new FileSendAborted());
    };
    request.send(blob);
  });

function isReceived(body: unknown): body is { received: number; complete: boolean } {
  return typeof body === 'object' && body !== null && typeof (body as { received?: unknown }).received === 'number' && typeof (body as { complete?: unknown }).complete === 'boolean';
}

function isErrorData(body: unknown): body is ErrorData {
  return typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string' && typeof (body as { message?: unknown }).message === 'string';
}
