// A refused PUT /uploads/<id> must still take the rest of its body (red-team, issue 13): a browser
// reads the answer only once it has sent the whole body, so a server that stops reading leaves the
// page waiting until the connection is cut (Node's requestTimeout, 300 s), and the refusal's
// message is never seen. Real loopback HTTP into a real service.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageHeaders } from '../testing/browserServerFixtures';
import type { Harness } from '../testing/serviceHarness';
import { startUploadServer, type UploadServer } from '../testing/uploadServer';
import type { BrowserServer } from './browserServer';

let up: UploadServer;
let h: Harness;
let server: BrowserServer;

beforeAll(async () => {
  up = await startUploadServer(() => ({ text: 'FINAL(unused)' }));
  ({ h, server } = up);
});

afterAll(() => up?.close());

/** Sends the whole body as a browser does, and tells whether it went out whole before the answer was read. */
function putWhole(path: string, body: Buffer): Promise<{ sent: boolean; status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let sent = false;
    const req = request({ host: '127.0.0.1', port: server.port, path, method: 'PUT', headers: { Host: `127.0.0.1:${server.port}`, ...pageHeaders(server) }, agent: false });
    req.on('error', reject);
    req.on('finish', () => (sent = true));
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        // The body still going out when the answer came: wait for it, as a browser would.
        const settle = () => resolve({ sent, status: res.statusCode ?? 0, text });
        if (sent) return settle();
        const timer = setTimeout(settle, 10_000);
        req.once('finish', () => {
          clearTimeout(timer);
          sent = true;
          settle();
        });
      });
    });
    req.end(body);
  });
}

describe('a refused PUT /uploads/<id>', () => {
  it('reads the rest of a large body, so the browser gets to read the refusal', async () => {
    const bytes = 64 * 1024 * 1024;
    const body = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(bytes - 8, 7)]);
    const { uploadId } = await h.service.call('uploads.begin', { name: 'big.log', bytes });
    const answer = await putWhole(`/uploads/${uploadId}`, body);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('BINARY_FILE');
    expect(answer.sent).toBe(true);
  }, 60_000);
});
