// Browser mode sends a large file as slices, several at once (`PUT /uploads/<id>?offset=`): the
// service takes them in any order, refuses a second sender of the same bytes, keeps what arrived
// when a slice is cut, and judges the file as it would have in order. Real loopback HTTP into a
// real service.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageHeaders, uploadedPath } from '../testing/browserServerFixtures';
import { lastUser, repl, turn, type Harness } from '../testing/serviceHarness';
import { beginUpload, put, startUploadServer, textLines, type PutAnswer, type UploadServer } from '../testing/uploadServer';
import type { BrowserServer } from './browserServer';

let up: UploadServer;
let h: Harness;
let server: BrowserServer;

beforeAll(async () => {
  // Runs print their context's length in characters, then answer with it.
  up = await startUploadServer((req) => (turn(req) === 0 ? { text: repl('print("<<" + context.length + ">>")') } : { text: `FINAL(${/<<(\d+)>>/.exec(lastUser(req))?.[1] ?? 'nothing'})` }));
  ({ h, server } = up);
});

afterAll(() => up?.close());

/** One slice as the browser sends it: the body whole, with its Content-Length. */
function putSlice(uploadId: string, offset: number | string, body: Buffer): Promise<PutAnswer> {
  return put(server, `/uploads/${uploadId}?offset=${offset}`, body, { ...pageHeaders(server), 'Content-Length': body.length });
}

/** A slice whose sender dies after `sent` of its bytes (a tab closed, a browser killed). */
function cutSlice(uploadId: string, offset: number, body: Buffer, sent: number): Promise<void> {
  return new Promise((resolve) => {
    const path = `/uploads/${uploadId}?offset=${offset}`;
    const req = request({ host: '127.0.0.1', port: server.port, path, method: 'PUT', headers: { Host: `127.0.0.1:${server.port}`, ...pageHeaders(server), 'Content-Length': body.length }, agent: false });
    req.on('error', () => resolve());
    req.write(body.subarray(0, sent), () => setTimeout(() => req.destroy(), 100));
  });
}

/** Sends the slice again until the server has seen the cut one go (it learns of it a moment later). */
async function retry(uploadId: string, offset: number, body: Buffer): Promise<PutAnswer> {
  for (let i = 0; ; i++) {
    const answer = await putSlice(uploadId, offset, body);
    if (answer.status === 200 || i === 50 || !JSON.stringify(answer.body).includes('on their way')) return answer;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** [offset, end) cut points of `size` bytes in slices of `bytes`. */
function slices(size: number, bytes: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let offset = 0; offset < size; offset += bytes) out.push([offset, Math.min(size, offset + bytes)]);
  return out;
}

describe('PUT /uploads/<id>?offset= in slices', () => {
  it('takes slices sent all at once, and slices sent last first; the file is the file', async () => {
    const file = textLines(10 * 1024 * 1024 + 777);
    const parallel = await beginUpload(h.service, 'parallel.log', file.length);
    const answers = await Promise.all(slices(file.length, 3 * 1024 * 1024).map(([offset, end]) => putSlice(parallel, offset, file.subarray(offset, end))));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(answers.filter((answer) => (answer.body as { complete: boolean }).complete)).toEqual([{ status: 200, body: { received: file.length, complete: true } }]);
    expect(readFileSync(uploadedPath(h.service, parallel)).equals(file)).toBe(true);

    const backwards = await beginUpload(h.service, 'backwards.log', file.length);
    const received: unknown[] = [];
    for (const [offset, end] of slices(file.length, 1024 * 1024 + 3).reverse()) received.push((await putSlice(backwards, offset, file.subarray(offset, end))).body);
    expect(received.at(0)).toEqual({ received: file.length % (1024 * 1024 + 3), complete: false });
    expect(received.at(-1)).toEqual({ received: file.length, complete: true });
    expect(readFileSync(uploadedPath(h.service, backwards)).equals(file)).toBe(true);
  }, 60_000);

  it('refuses a slice over bytes received or on their way, and one past the end, and keeps the file whole', async () => {
    const file = textLines(4 * 1024 * 1024);
    const uploadId = await beginUpload(h.service, 'overlap.log', file.length);
    const half = file.length / 2;
    // Two senders of the same bytes at once: one is taken, the other refused before it writes.
    const [a, b] = await Promise.all([putSlice(uploadId, half, file.subarray(half)), putSlice(uploadId, half, textLines(half, 'evil'))]);
    expect([a, b].filter((answer) => answer.status === 200)).toHaveLength(1);
    expect([a, b].find((answer) => answer.status !== 200)).toEqual({
      status: 400,
      body: { code: 'INVALID_INPUT', message: `overlap.log: bytes ${half}-${file.length} overlap bytes ${half}-${file.length}, which were sent already or are on their way; each byte is sent once` },
    });
    // Bytes received whole already, sent again (a page whose answer was lost retries): answered
    // as they were, and the bytes first received stay, whatever the second body holds.
    expect(await putSlice(uploadId, half, file.subarray(half))).toEqual({ status: 200, body: { received: file.length - half, complete: false } });
    expect(await putSlice(uploadId, half, textLines(half, 'evil'))).toEqual({ status: 200, body: { received: file.length - half, complete: false } });
    expect(await putSlice(uploadId, 10, Buffer.alloc(half, 0x61))).toMatchObject({ status: 400, body: { message: expect.stringContaining(`bytes 10-${half + 10} overlap`) } });
    expect(await putSlice(uploadId, file.length - 1, Buffer.from('xy'))).toMatchObject({ status: 400, body: { message: `overlap.log: bytes ${file.length - 1}-${file.length + 1} sent, but ${file.length} were announced` } });
    expect(await putSlice(uploadId, file.length + 5, Buffer.alloc(0))).toMatchObject({ status: 400, body: { code: 'INVALID_INPUT' } });
    expect(await putSlice(uploadId, Number.MAX_SAFE_INTEGER, Buffer.from('x'))).toMatchObject({ status: 400, body: { message: expect.stringContaining('were announced') } });
    // The refusals wrote nothing: the first half completes the file as sent.
    expect(await putSlice(uploadId, 0, file.subarray(0, half))).toEqual({ status: 200, body: { received: file.length, complete: true } });
    expect(readFileSync(uploadedPath(h.service, uploadId)).equals(file)).toBe(true);
    // The last slice's answer lost: sent again, it learns that the file is complete.
    expect(await putSlice(uploadId, 0, file.subarray(0, half))).toEqual({ status: 200, body: { received: file.length, complete: true } });
    expect(await putSlice(uploadId, 0, Buffer.alloc(0))).toMatchObject({ status: 400, body: { message: expect.stringContaining('received in full already') } });
  }, 60_000);

  it('leaves a gap unfilled: the upload is not complete and no run may take it', async () => {
    const file = textLines(3000);
    const uploadId = await beginUpload(h.service, 'gap.log', file.length);
    await putSlice(uploadId, 0, file.subarray(0, 1000));
    expect(await putSlice(uploadId, 2000, file.subarray(2000))).toEqual({ status: 200, body: { received: 2000, complete: false } });
    await expect(h.service.call('runs.start', { query: 'q', inputs: [{ kind: 'upload', uploadId }] })).rejects.toMatchObject({ message: 'gap.log is not complete: 2000 of 3000 bytes have arrived' });
    expect(await putSlice(uploadId, 1000, file.subarray(1000, 2000))).toEqual({ status: 200, body: { received: 3000, complete: true } });
  });

  it('reads a UTF-8 character cut between two slices as one character, whichever slice came first', async () => {
    const text = 'héllo wörld ✓ '.repeat(20_000);
    const file = Buffer.from(text);
    const cut = 2; // inside the é (bytes 1-2)
    const uploadId = await beginUpload(h.service, 'split.txt', file.length);
    expect((await putSlice(uploadId, cut, file.subarray(cut))).status).toBe(200);
    expect(await putSlice(uploadId, 0, file.subarray(0, cut))).toEqual({ status: 200, body: { received: file.length, complete: true } });
    const { runId, warnings } = await h.service.call('runs.start', { query: 'how long?', inputs: [{ kind: 'upload', uploadId }] });
    expect(warnings).toEqual([]);
    expect(await h.service.waitForRun(runId)).toMatchObject({ status: 'completed', answer: String(text.length) });
  }, 60_000);

  it('refuses a binary file whose telling byte is in a slice that came last, and drops the upload', async () => {
    const file = Buffer.concat([textLines(30_000), Buffer.from([0]), textLines(200_000)]);
    const uploadId = await beginUpload(h.service, 'late-nul.log', file.length);
    // The slices after the first 64 KB come first and are taken: the head is not whole yet.
    expect((await putSlice(uploadId, 40_000, file.subarray(40_000))).status).toBe(200);
    expect((await putSlice(uploadId, 20_000, file.subarray(20_000, 40_000))).status).toBe(200);
    const answer = await putSlice(uploadId, 0, file.subarray(0, 20_000));
    expect(answer).toEqual({ status: 400, body: { code: 'BINARY_FILE', message: 'late-nul.log looks like a binary file (it contains NUL bytes); RLMScope reads text files only' } });
    expect((await putSlice(uploadId, 0, Buffer.from('x'))).status).toBe(404);
  });

  it('takes a NUL past the first 64 KB, as a file given by path, whichever slice brings it first', async () => {
    const file = Buffer.concat([textLines(100_000), Buffer.from([0]), textLines(1000)]);
    const uploadId = await beginUpload(h.service, 'nul-after-head.log', file.length);
    expect((await putSlice(uploadId, 90_000, file.subarray(90_000))).status).toBe(200);
    expect(await putSlice(uploadId, 0, file.subarray(0, 90_000))).toEqual({ status: 200, body: { received: file.length, complete: true } });
  });

  it('counts a slice cut mid-body for nothing, keeps the others, and takes it when sent again', async () => {
    const file = textLines(12 * 1024 * 1024);
    const third = file.length / 3;
    const uploadId = await beginUpload(h.service, 'cut.log', file.length);
    expect((await putSlice(uploadId, 2 * third, file.subarray(2 * third))).status).toBe(200);
    // The first slice, over the head, dies 1000 bytes short of its end: most of it written, none counted.
    await cutSlice(uploadId, 0, file.subarray(0, third), third - 1000);
    const again = await retry(uploadId, 0, file.subarray(0, third));
    expect(again).toEqual({ status: 200, body: { received: 2 * third, complete: false } });
    await cutSlice(uploadId, third, file.subarray(third, 2 * third), 10);
    expect(await retry(uploadId, third, file.subarray(third, 2 * third))).toEqual({ status: 200, body: { received: file.length, complete: true } });
    expect(readFileSync(uploadedPath(h.service, uploadId)).equals(file)).toBe(true);
  }, 60_000);

  it('refuses an offset that is not a plain byte position, before reading the body', async () => {
    const uploadId = await beginUpload(h.service, 'query.log', 10);
    for (const offset of ['-1', '01', '1e1', 'x', '5&offset=0']) {
      const answer = await putSlice(uploadId, offset, Buffer.from('0123456789'));
      expect(answer.status, offset).toBe(400);
      expect(answer.body, offset).toMatchObject({ code: 'INVALID_INPUT' });
    }
    expect(await putSlice(uploadId, 0, Buffer.from('0123456789'))).toEqual({ status: 200, body: { received: 10, complete: true } });
  });
});
