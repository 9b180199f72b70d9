// Browser mode's upload of a file as slices (putSlices.ts), through uploadBlob as the page calls
// it: the plan of slices, several at once, progress, failures, resending a cut slice, cancelling.
import { describe, expect, it } from 'vitest';
import type { RlmApi } from '../../shared/api';
import { fakeUploadService as fakeService } from '../testing/fakeUploadService';
import { FileSendAborted } from '../api/fileSender';
import { planSlices } from './putSlices';
import { uploadBlob, UploadAborted } from './uploadFile';

describe('planSlices', () => {
  const MiB = 1024 * 1024;

  it('cuts a 200 MB file in twice as many slices as go at once', () => {
    const slices = planSlices(200_000_000);
    expect(slices).toHaveLength(8);
    expect(slices[0]).toEqual({ offset: 0, end: 25_000_000 });
    expect(slices.at(-1)?.end).toBe(200_000_000);
  });

  it('keeps slices between 4 and 64 MiB, and covers the file without gaps', () => {
    expect(planSlices(MiB)).toEqual([{ offset: 0, end: MiB }]);
    expect(planSlices(10 * MiB)).toEqual([{ offset: 0, end: 4 * MiB }, { offset: 4 * MiB, end: 8 * MiB }, { offset: 8 * MiB, end: 10 * MiB }]);
    const large = planSlices(4 * 1024 * MiB);
    expect(large).toHaveLength(64);
    large.forEach((slice, i) => expect(slice).toEqual({ offset: i * 64 * MiB, end: (i + 1) * 64 * MiB }));
  });

  it('sends an empty file as one empty slice', () => {
    expect(planSlices(0)).toEqual([{ offset: 0, end: 0 }]);
  });
});

describe('uploadBlob with a sender of whole files (browser mode)', () => {
  it('sends the file in one request after uploads.begin, and never appends', async () => {
    const { api, calls } = fakeService();
    const sentBlobs: Array<{ uploadId: string; size: number }> = [];
    const progress: number[] = [];
    const id = await uploadBlob(api, new Blob(['the whole file']), {
      name: 'a.txt',
      signal: new AbortController().signal,
      onProgress: (sent) => progress.push(sent),
      sender: (uploadId, blob, options) => {
        sentBlobs.push({ uploadId, size: blob.size });
        options.onProgress(6);
        return Promise.resolve({ received: blob.size, complete: true });
      },
    });
    expect(id).toBe('u-test12345');
    expect(sentBlobs).toEqual([{ uploadId: 'u-test12345', size: 14 }]);
    expect(progress).toEqual([6, 14]);
    expect(calls).toEqual(['uploads.begin']);
  });

  it('sends a larger file as slices, several at once, each to its place, and completes when the service holds every byte', async () => {
    const { api, calls } = fakeService();
    const text = 'abcdefghijklmnopqrstuvwxyz0123';
    const file = new Blob([text]);
    const stored = new Array<string>(text.length).fill('_');
    let received = 0;
    let inFlight = 0;
    let peak = 0;
    const offsets: number[] = [];
    const id = await uploadBlob(api, file, {
      name: 'a.txt',
      signal: new AbortController().signal,
      onProgress: () => undefined,
      sliceBytes: 4,
      slicesInFlight: 3,
      // As the service answers a slice: the bytes received over all slices, complete once it holds them all.
      sender: async (_uploadId, blob, options) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        offsets.push(options.offset);
        const bytes = await blob.text();
        // Later slices answer first: the order of answers must not matter.
        await new Promise((resolve) => setTimeout(resolve, 20 - options.offset / 2));
        [...bytes].forEach((c, i) => (stored[options.offset + i] = c));
        received += bytes.length;
        inFlight--;
        return { received, complete: received === file.size };
      },
    });
    expect(id).toBe('u-test12345');
    expect(stored.join('')).toBe(text);
    expect(peak).toBe(3);
    expect(offsets.sort((x, y) => x - y)).toEqual([0, 4, 8, 12, 16, 20, 24, 28]);
    expect(calls).toEqual(['uploads.begin']);
  });

  it('shows progress that only grows, and reads the whole size only once the service answered for every slice', async () => {
    const { api } = fakeService();
    const file = new Blob(['0123456789ab']);
    const progress: number[] = [];
    const answers: Array<() => void> = [];
    let received = 0;
    const upload = uploadBlob(api, file, {
      name: 'a.txt',
      signal: new AbortController().signal,
      onProgress: (bytes) => progress.push(bytes),
      sliceBytes: 4,
      slicesInFlight: 3,
      sender: (_id, blob, options) => {
        // The browser has sent the whole slice; the service has not answered yet.
        options.onProgress(blob.size);
        return new Promise((resolve) =>
          answers.push(() => {
            received += blob.size;
            resolve({ received, complete: received === file.size });
          }),
        );
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(progress.at(-1)).toBe(9); // three slices sent, each one byte short until answered
    answers.shift()?.();
    answers.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(progress.at(-1)).toBe(11);
    answers.shift()?.();
    await upload;
    expect(progress.at(-1)).toBe(12);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
  });

  it('stops the other slices when one fails, rejects with its error and frees the upload', async () => {
    const { api, calls } = fakeService();
    const refusal = { code: 'BINARY_FILE', message: 'a.txt looks like a binary file (it contains NUL bytes)' };
    const stopped: number[] = [];
    const upload = uploadBlob(api, new Blob(['0123456789ab']), {
      name: 'a.txt',
      signal: new AbortController().signal,
      onProgress: () => undefined,
      sliceBytes: 4,
      slicesInFlight: 3,
      sender: (_id, _blob, options) =>
        new Promise((_resolve, reject) => {
          if (options.offset === 4) return void setTimeout(() => reject(refusal), 5);
          options.signal.addEventListener('abort', () => {
            stopped.push(options.offset);
            reject(new FileSendAborted());
          });
        }),
    });
    await expect(upload).rejects.toEqual(refusal);
    expect(stopped.sort()).toEqual([0, 8]);
    expect(calls).toEqual(['uploads.begin', 'uploads.cancel']);
  });

  it('sends a slice again when its request was cut, and only then; it never resends one refused for its bytes', async () => {
    const { api, calls } = fakeService();
    const sent: number[] = [];
    let cuts = 0;
    await uploadBlob(api, new Blob(['0123456789ab']), {
      name: 'a.txt',
      signal: new AbortController().signal,
      onProgress: () => undefined,
      sliceBytes: 4,
      slicesInFlight: 3,
      sliceRetryDelaysMs: [1, 1],
      sender: (_id, _blob, options) => {
        sent.push(options.offset);
        // The middle slice's connection drops twice; the third attempt gets through.
        if (options.offset === 4 && cuts < 2) return (cuts++, Promise.reject({ code: 'INTERNAL', message: 'the upload was cut', retryable: true }));
        return Promise.resolve({ received: 12, complete: sent.length === 5 });
      },
    });
    expect(sent.filter((offset) => offset === 4)).toHaveLength(3);
    expect(calls).toEqual(['uploads.begin']);

    // Cut three times: the third cut is told, and the upload freed.
    const again = fakeService();
    const cut = { code: 'INTERNAL', message: 'the upload was cut: the connection to rlmscope serve closed', retryable: true };
    let attempts = 0;
    const failing = uploadBlob(again.api, new Blob(['x']), { name: 'a.txt', signal: new AbortController().signal, onProgress: () => undefined, sliceRetryDelaysMs: [1, 1], sender: () => (attempts++, Promise.reject(cut)) });
    await expect(failing).rejects.toEqual(cut);
    expect(attempts).toBe(3);
    expect(again.calls).toEqual(['uploads.begin', 'uploads.cancel']);
  });

  it('stops waiting to resend a cut slice when the upload is cancelled', async () => {
    const { api } = fakeService();
    const controller = new AbortController();
    let attempts = 0;
    const upload = uploadBlob(api, new Blob(['x']), {
      name: 'a.txt',
      signal: controller.signal,
      onProgress: () => undefined,
      sliceRetryDelaysMs: [60_000],
      sender: () => (attempts++, Promise.reject({ code: 'INTERNAL', message: 'cut', retryable: true })),
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    await expect(upload).rejects.toBeInstanceOf(UploadAborted);
    expect(attempts).toBe(1);
  });

  it('sends an empty file as one empty request', async () => {
    const { api } = fakeService();
    const sizes: number[] = [];
    await uploadBlob(api, new Blob([]), {
      name: 'empty.py',
      signal: new AbortController().signal,
      onProgress: () => undefined,
      sender: (_id, blob) => {
        sizes.push(blob.size);
        return Promise.resolve({ received: 0, complete: true });
      },
    });
    expect(sizes).toEqual([0]);
  });

  it('stops, and says so, when every slice was sent and the service still lacks bytes', async () => {
    const { api, calls } = fakeService();
    const sizes: number[] = [];
    const upload = uploadBlob(api, new Blob(['0123456789']), {
      name: 'a.txt',
      signal: new AbortController().signal,
      onProgress: () => undefined,
      sliceBytes: 4,
      sender: (_id, blob) => {
        sizes.push(blob.size);
        return Promise.resolve({ received: 3, complete: false });
      },
    });
    await expect(upload).rejects.toMatchObject({ message: 'the service did not receive the whole file' });
    expect(sizes).toEqual([4, 4, 2]);
    expect(calls).toEqual(['uploads.begin', 'uploads.cancel']);
  });

  it('cancels the upload on the service when the request fails, and rejects with its error', async () => {
    const { api, calls } = fakeService();
    const refusal = { code: 'INPUT_TOO_LARGE', message: 'the disk is full: a.txt could not be stored' };
    const upload = uploadBlob(api, new Blob(['x']), { name: 'a.txt', signal: new AbortController().signal, onProgress: () => undefined, sender: () => Promise.reject(refusal) });
    await expect(upload).rejects.toEqual(refusal);
    expect(calls).toEqual(['uploads.begin', 'uploads.cancel']);
  });

  it('says the file did not arrive whole when the service received less', async () => {
    const { api } = fakeService();
    const upload = uploadBlob(api, new Blob(['abcdef']), { name: 'a.txt', signal: new AbortController().signal, onProgress: () => undefined, sender: () => Promise.resolve({ received: 3, complete: false }) });
    await expect(upload).rejects.toMatchObject({ message: 'the service did not receive the whole file' });
  });

  it('sends no slice when the signal aborted while uploads.begin was on its way', async () => {
    const { api: service, calls } = fakeService();
    const controller = new AbortController();
    // The user cancels while the service is still answering uploads.begin.
    const api: Pick<RlmApi, 'call'> = {
      call: (async (method: string, params: never) => {
        const answer = await (service.call as (m: string, p: never) => Promise<unknown>)(method, params);
        if (method === 'uploads.begin') controller.abort();
        return answer;
      }) as RlmApi['call'],
    };
    const sent: number[] = [];
    const upload = uploadBlob(api, new Blob(['abcdefgh']), {
      name: 'a.txt',
      signal: controller.signal,
      onProgress: () => undefined,
      sliceBytes: 2,
      sender: (_id, blob, options) => {
        sent.push(options.offset);
        return Promise.resolve({ received: blob.size, complete: false });
      },
    });
    await expect(upload).rejects.toBeInstanceOf(UploadAborted);
    expect(sent).toEqual([]);
    expect(calls).toEqual(['uploads.begin', 'uploads.cancel']);
  });

  it('rejects with UploadAborted when the signal aborts the request', async () => {
    const { api, calls } = fakeService();
    const controller = new AbortController();
    const upload = uploadBlob(api, new Blob(['abc']), {
      name: 'a.txt',
      signal: controller.signal,
      onProgress: () => undefined,
      sender: (_id, _blob, options) =>
        new Promise((_resolve, reject) => {
          options.signal.addEventListener('abort', () => reject(new Error('aborted by the browser')));
          queueMicrotask(() => controller.abort());
        }),
    });
    await expect(upload).rejects.toBeInstanceOf(UploadAborted);
    expect(calls).toContain('uploads.cancel');
  });
});
