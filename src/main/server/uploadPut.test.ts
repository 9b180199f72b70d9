// Browser mode's upload over HTTP: the page begins an upload over the WebSocket, then sends the
// file as the body of `PUT /uploads/<id>` (the browser streams it off the page's thread). Real
// loopback HTTP into a real service: the bytes land as sent, and only the page's own request can
// write them.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageHeaders, uploadedPath } from '../testing/browserServerFixtures';
import type { Harness } from '../testing/serviceHarness';
import { beginUpload, put, startUploadServer, textLines, type UploadServer } from '../testing/uploadServer';
import type { BrowserServer } from './browserServer';

let up: UploadServer;
let h: Harness;
let server: BrowserServer;

beforeAll(async () => {
  up = await startUploadServer(() => ({ text: 'FINAL(unused)' }));
  ({ h, server } = up);
});

afterAll(() => up?.close());

describe('PUT /uploads/<id>', () => {
  it('writes the whole body as sent, in pieces of any size, and completes the upload', async () => {
    const file = textLines(9 * 1024 * 1024 + 123);
    const uploadId = await beginUpload(h.service, 'big.log', file.length);
    const pieces = [file.subarray(0, 1), file.subarray(1, 70_000), file.subarray(70_000, 5_000_000), file.subarray(5_000_000)];
    const answer = await put(server, `/uploads/${uploadId}`, pieces);
    expect(answer).toEqual({ status: 200, body: { received: file.length, complete: true } });
    expect(readFileSync(uploadedPath(h.service, uploadId)).equals(file)).toBe(true);
  });

  it('takes the rest after a body that ended early, from where it stopped', async () => {
    const file = textLines(6 * 1024 * 1024);
    const uploadId = await beginUpload(h.service, 'resumed.log', file.length);
    expect(await put(server, `/uploads/${uploadId}`, [file.subarray(0, 5_000_000)])).toEqual({ status: 200, body: { received: 5_000_000, complete: false } });
    expect(await put(server, `/uploads/${uploadId}`, [file.subarray(5_000_000)])).toEqual({ status: 200, body: { received: file.length, complete: true } });
    expect(readFileSync(uploadedPath(h.service, uploadId)).equals(file)).toBe(true);
  });

  it('completes an empty file with an empty body', async () => {
    const uploadId = await beginUpload(h.service, 'empty.txt', 0);
    expect(await put(server, `/uploads/${uploadId}`, [])).toEqual({ status: 200, body: { received: 0, complete: true } });
  });

  it('refuses a body longer than announced in one line, and the answer arrives whole', async () => {
    const uploadId = await beginUpload(h.service, 'short.log', 1000);
    const answer = await put(server, `/uploads/${uploadId}`, [textLines(6 * 1024 * 1024)]);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ code: 'INVALID_INPUT', message: expect.stringMatching(/^short\.log: bytes 0-\d+ sent, but 1000 were announced$/) });
  });

  it('refuses a binary file as it arrives and drops the upload', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200_000, 7)]);
    const uploadId = await beginUpload(h.service, 'diagram.log', png.length);
    const answer = await put(server, `/uploads/${uploadId}`, [png]);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'BINARY_FILE', message: expect.stringContaining('diagram.log looks like') });
    expect((await put(server, `/uploads/${uploadId}`, [Buffer.from('more')])).status).toBe(404);
  });

  it('takes binary bytes for an import, which may be gzip', async () => {
    const gzip = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(10_000, 3)]);
    const uploadId = await beginUpload(h.service, 'run.rlmscope', gzip.length, 'import');
    expect(await put(server, `/uploads/${uploadId}`, [gzip])).toEqual({ status: 200, body: { received: gzip.length, complete: true } });
  });

  it('answers 404 for an upload it does not know', async () => {
    const answer = await put(server, '/uploads/u-nothing-like-this-exists-here', [Buffer.from('x')]);
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('who may PUT', () => {
  it('refuses a request without the cookie, from another Origin, without an Origin, or for another Host, and writes nothing', async () => {
    const body = textLines(100);
    const uploadId = await beginUpload(h.service, 'guarded.log', body.length);
    const { Cookie, Origin } = pageHeaders(server);
    const refusals: Array<[string, Record<string, string>]> = [
      ['no cookie', { Origin }],
      ['a wrong token', { Cookie: `${server.cookieName}=${'x'.repeat(server.token.length)}`, Origin }],
      ['another Origin', { Cookie, Origin: 'http://evil.example' }],
      ['no Origin', { Cookie }],
      ['another Host', { Cookie, Origin, Host: 'evil.example' }],
    ];
    for (const [what, headers] of refusals) expect((await put(server, `/uploads/${uploadId}`, [body], headers)).status, what).toBe(403);
    // Still untouched: the page's own request then writes it from byte 0.
    expect(await put(server, `/uploads/${uploadId}`, [body])).toEqual({ status: 200, body: { received: body.length, complete: true } });
  });

  it('takes PUT only', async () => {
    const uploadId = await beginUpload(h.service, 'methods.log', 10);
    for (const method of ['GET', 'POST', 'HEAD', 'DELETE']) expect((await put(server, `/uploads/${uploadId}`, [], pageHeaders(server), method)).status, method).toBe(405);
  });
});
