// PUT /uploads/<id> attacked (red-team, issue 13): two bodies for one upload at once, and a body
// for an upload a run has taken. Real loopback HTTP into a real service.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRendererDir, pageHeaders, uploadedPath, type PageFixture } from '../testing/browserServerFixtures';
import { startHarness, type Harness } from '../testing/serviceHarness';
import { startBrowserServer, type BrowserServer } from './browserServer';

let h: Harness;
let page: PageFixture;
let server: BrowserServer;

beforeAll(async () => {
  h = await startHarness(() => ({ text: 'FINAL(read it)' }));
  page = makeRendererDir();
  server = await startBrowserServer({ api: h.service, uploads: h.service.uploads, rendererDir: page.rendererDir, port: 0, log: () => undefined });
});

afterAll(async () => {
  await server?.close();
  await h?.close();
});

function put(path: string, body: Buffer): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: 'PUT', headers: { Host: `127.0.0.1:${server.port}`, ...pageHeaders(server) }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function lines(bytes: number, seed: string): Buffer {
  const text = Array.from({ length: Math.ceil(bytes / 20) + 1 }, (_, i) => `${seed} ${String(i).padStart(12, '0')}\n`).join('');
  return Buffer.from(text.slice(0, bytes));
}

describe('PUT /uploads/<id> under attack', () => {
  it('takes one of two bodies sent at once for one upload and refuses the other; the file is one of them, whole', async () => {
    const a = lines(9 * 1024 * 1024, 'a');
    const b = lines(9 * 1024 * 1024, 'b');
    const { uploadId } = await h.service.call('uploads.begin', { name: 'twice.log', bytes: a.length });
    const answers = await Promise.all([put(`/uploads/${uploadId}`, a), put(`/uploads/${uploadId}`, b)]);
    const ok = answers.filter((answer) => answer.status === 200);
    expect(ok).toEqual([{ status: 200, body: { received: a.length, complete: true } }]);
    expect(answers.find((answer) => answer.status !== 200)).toMatchObject({ status: 400, body: { code: 'INVALID_INPUT' } });
    const stored = readFileSync(uploadedPath(h.service, uploadId));
    expect(stored.equals(a) || stored.equals(b)).toBe(true);
  }, 60_000);

  it('refuses a body for an upload a run has taken, and leaves the run its file', async () => {
    const file = lines(1000, 'taken');
    const { uploadId } = await h.service.call('uploads.begin', { name: 'taken.log', bytes: file.length });
    expect((await put(`/uploads/${uploadId}`, file)).status).toBe(200);
    const { runId } = await h.service.call('runs.start', { query: 'read', inputs: [{ kind: 'upload', uploadId }] });
    const again = await put(`/uploads/${uploadId}`, lines(1000, 'other'));
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect((await h.service.waitForRun(runId)).status).toBe('completed');
  }, 60_000);
});
