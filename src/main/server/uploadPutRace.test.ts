// PUT /uploads/<id> attacked (red-team, issue 13): two bodies for one upload at once, and a body
// for an upload a run has taken. Real loopback HTTP into a real service.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadedPath } from '../testing/browserServerFixtures';
import type { Harness } from '../testing/serviceHarness';
import { put, startUploadServer, textLines, type UploadServer } from '../testing/uploadServer';
import type { BrowserServer } from './browserServer';

let up: UploadServer;
let h: Harness;
let server: BrowserServer;

beforeAll(async () => {
  up = await startUploadServer(() => ({ text: 'FINAL(read it)' }));
  ({ h, server } = up);
});

afterAll(() => up?.close());

describe('PUT /uploads/<id> under attack', () => {
  it('takes one of two bodies sent at once for one upload and refuses the other; the file is one of them, whole', async () => {
    const a = textLines(9 * 1024 * 1024, 'a');
    const b = textLines(9 * 1024 * 1024, 'b');
    const { uploadId } = await h.service.call('uploads.begin', { name: 'twice.log', bytes: a.length });
    const answers = await Promise.all([put(server, `/uploads/${uploadId}`, a), put(server, `/uploads/${uploadId}`, b)]);
    const ok = answers.filter((answer) => answer.status === 200);
    expect(ok).toEqual([{ status: 200, body: { received: a.length, complete: true } }]);
    expect(answers.find((answer) => answer.status !== 200)).toMatchObject({ status: 400, body: { code: 'INVALID_INPUT' } });
    const stored = readFileSync(uploadedPath(h.service, uploadId));
    expect(stored.equals(a) || stored.equals(b)).toBe(true);
  }, 60_000);

  it('refuses a body for an upload a run has taken, and leaves the run its file', async () => {
    const file = textLines(1000, 'taken');
    const { uploadId } = await h.service.call('uploads.begin', { name: 'taken.log', bytes: file.length });
    expect((await put(server, `/uploads/${uploadId}`, file)).status).toBe(200);
    const { runId } = await h.service.call('runs.start', { query: 'read', inputs: [{ kind: 'upload', uploadId }] });
    const again = await put(server, `/uploads/${uploadId}`, textLines(1000, 'other'));
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect((await h.service.waitForRun(runId)).status).toBe('completed');
  }, 60_000);
});
