import { describe, expect, it } from 'vitest';
import type { RlmApi } from '../../shared/api';
import { fakeUploadService as fakeService } from '../testing/fakeUploadService';
import { CHUNK_BYTES, planChunks, readBytes, uploadBlob, UploadAborted } from './uploadFile';

describe('planChunks', () => {
  it('covers the file in order without gaps', () => {
    expect(planChunks(10, 4)).toEqual([{ offset: 0, end: 4 }, { offset: 4, end: 8 }, { offset: 8, end: 10 }]);
    expect(planChunks(8, 4)).toHaveLength(2);
  });

  it('sends one empty chunk for an empty file', () => {
    expect(planChunks(0)).toEqual([{ offset: 0, end: 0 }]);
  });

  it('plans a 4 GiB file in whole chunks of CHUNK_BYTES', () => {
    const chunks = planChunks(4 * 1024 ** 3);
    expect(chunks).toHaveLength((4 * 1024 ** 3) / CHUNK_BYTES);
    expect(chunks.at(-1)).toEqual({ offset: 4 * 1024 ** 3 - CHUNK_BYTES, end: 4 * 1024 ** 3 });
  });

  it('refuses chunks larger than the service takes', () => {
    expect(() => planChunks(100, 9 * 1024 * 1024)).toThrow(RangeError);
  });
});

describe('uploadBlob', () => {
  it('sends every byte in chunks and reports progress', async () => {
    const { api, calls, received } = fakeService();
    const progress: number[] = [];
    const id = await uploadBlob(api, new Blob(['hello world, in chunks']), {
      name: 'a.txt',
      signal: new AbortController().signal,
      onProgress: (sent) => progress.push(sent),
      chunkBytes: 8,
    });
    expect(id).toBe('u-test12345');
    expect(received.get(id)).toBe('hello world, in chunks');
    expect(progress).toEqual([8, 16, 22]);
    expect(calls).toEqual(['uploads.begin', 'uploads.append', 'uploads.append', 'uploads.append']);
  });

  it('sends each chunk as the bytes of the file, not as text', async () => {
    const bytes = new Uint8Array([0xe2, 0x9c, 0x93, 0x0a, 0xc3, 0xa9, 0xff]);
    const sent: unknown[] = [];
    const api: Pick<RlmApi, 'call'> = {
      call: (async (method: string, params: Record<string, unknown>) => {
        if (method === 'uploads.begin') return { uploadId: 'u-bytes123' };
        sent.push(params.data);
        const end = (params.offset as number) + (params.data as Uint8Array).byteLength;
        return { received: end, complete: end === bytes.length };
      }) as RlmApi['call'],
    };
    await uploadBlob(api, new Blob([bytes]), { name: 'b.txt', signal: new AbortController().signal, onProgress: () => undefined, chunkBytes: 4 });
    expect(sent).toEqual([new Uint8Array([0xe2, 0x9c, 0x93, 0x0a]), new Uint8Array([0xc3, 0xa9, 0xff])]);
  });

  it('reads the next chunk while the service takes the current one', async () => {
    const { api } = fakeService();
    const events: string[] = [];
    const slowApi: Pick<RlmApi, 'call'> = {
      call: (async (method: string, params: Record<string, unknown>) => {
        if (method === 'uploads.append') events.push(`append ${String(params.offset)}`);
        return (api.call as (m: string, p: unknown) => Promise<unknown>)(method, params);
      }) as RlmApi['call'],
    };
    const read = async (blob: Blob) => {
      events.push(`read ${blob.size}`);
      return readBytes(blob);
    };
    await uploadBlob(slowApi, new Blob(['abcdefghij']), { name: 'a.txt', signal: new AbortController().signal, onProgress: () => undefined, chunkBytes: 4, read });
    expect(events).toEqual(['read 4', 'read 4', 'append 0', 'read 2', 'append 4', 'append 8']);
  });

  it('keeps at most N chunks in flight, and reports progress in order', async () => {
    const { api } = fakeService();
    let outstanding = 0;
    let peak = 0;
    const held: Array<() => void> = [];
    const slowApi: Pick<RlmApi, 'call'> = {
      call: (async (method: string, params: Record<string, unknown>) => {
        if (method !== 'uploads.append') return (api.call as (m: string, p: unknown) => Promise<unknown>)(method, params);
        outstanding++;
        peak = Math.max(peak, outstanding);
        const result = await (api.call as (m: string, p: unknown) => Promise<unknown>)(method, params);
        await new Promise<void>((resolve) => held.push(resolve));
        outstanding--;
        return result;
      }) as RlmApi['call'],
    };
    const release = setInterval(() => held.splice(0).forEach((r) => r()), 1);
    const progress: number[] = [];
    try {
      await uploadBlob(slowApi, new Blob(['x'.repeat(40)]), { name: 'a.txt', signal: new AbortController().signal, onProgress: (n) => progress.push(n), chunkBytes: 4, inFlight: 3 });
    } finally {
      clearInterval(release);
    }
    expect(peak).toBe(3);
    expect(progress).toEqual([4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
  });

  it('completes an empty file', async () => {
    const { api, received } = fakeService();
    const id = await uploadBlob(api, new Blob([]), { name: 'e.txt', signal: new AbortController().signal, onProgress: () => undefined });
    expect(received.get(id)).toBe('');
  });

  it('cancels the upload on the service when stopped', async () => {
    const { api, calls } = fakeService();
    const controller = new AbortController();
    const upload = uploadBlob(api, new Blob(['0123456789']), {
      name: 'a.txt',
      signal: controller.signal,
      onProgress: () => controller.abort(),
      chunkBytes: 4,
      inFlight: 1,
    });
    await expect(upload).rejects.toBeInstanceOf(UploadAborted);
    await Promise.resolve();
    expect(calls).toEqual(['uploads.begin', 'uploads.append', 'uploads.cancel']);
  });

  it("passes the service's error on and frees the upload", async () => {
    const { api, calls } = fakeService({ failAt: 4 });
    const upload = uploadBlob(api, new Blob(['0123456789']), { name: 'x.bin', signal: new AbortController().signal, onProgress: () => undefined, chunkBytes: 4 });
    await expect(upload).rejects.toEqual({ code: 'BINARY_FILE', message: 'x.bin looks like a binary file' });
    expect(calls.at(-1)).toBe('uploads.cancel');
  });
});
