// Test helper (not shipped: only tests import this): a service that receives uploads as the
// real one does (offsets checked, chunks in order) and answers runs.start.
import type { RlmApi } from '../../shared/api';

export interface FakeUploadOptions {
  /** Appends at or past this offset fail with BINARY_FILE, as the service's sniffing does. */
  failAt?: number;
  /** Each append waits for this before answering (to catch an upload in flight). */
  gate?: () => Promise<void>;
}

export function fakeUploadService(options: FakeUploadOptions = {}) {
  const calls: string[] = [];
  /** What each upload received, a character per byte (the tests send ASCII). */
  const received = new Map<string, string>();
  const expected = new Map<string, number>();
  const names = new Map<string, string>();
  const started: unknown[] = [];
  let nextId = 12345;
  const api: RlmApi = {
    call: (async (method: string, params: Record<string, unknown>) => {
      calls.push(method);
      if (method === 'uploads.begin') {
        const uploadId = `u-test${nextId++}`;
        expected.set(uploadId, params.bytes as number);
        names.set(uploadId, params.name as string);
        received.set(uploadId, '');
        return { uploadId };
      }
      if (method === 'uploads.append') {
        const id = params.uploadId as string;
        const text = received.get(id);
        if (text === undefined) throw { code: 'NOT_FOUND', message: 'no such upload' };
        if (params.offset !== text.length) throw { code: 'INVALID_INPUT', message: 'bad offset' };
        if (options.failAt !== undefined && (params.offset as number) >= options.failAt) {
          throw { code: 'BINARY_FILE', message: `${names.get(id)} looks like a binary file` };
        }
        // Bytes, as the page sends them: base64 text here would be a regression.
        if (!(params.data instanceof Uint8Array)) throw { code: 'INVALID_INPUT', message: `data is a ${typeof params.data}, not bytes` };
        const next = text + String.fromCharCode(...params.data);
        received.set(id, next);
        await options.gate?.();
        return { received: next.length, complete: next.length === expected.get(id) };
      }
      if (method === 'uploads.cancel') return { cancelled: received.delete(params.uploadId as string) };
      if (method === 'runs.start') {
        started.push(params);
        return { runId: 'r-test', warnings: [] };
      }
      throw new Error(`unexpected ${method}`);
    }) as RlmApi['call'],
    subscribe: () => () => undefined,
  };
  return { api, calls, received, names, started };
}
