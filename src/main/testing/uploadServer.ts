// Test helpers for browser mode's uploads over HTTP (PUT /uploads/<id>): a real service behind the
// real browser-mode server, PUT requests sent the way the tests need them, and text files of
// numbered lines whose bytes a test can check.
import { request } from 'node:http';
import type { FakeHandler } from '../fakeProvider/server';
import { startBrowserServer, type BrowserServer } from '../server/browserServer';
import type { RlmService } from '../service/rlmService';
import { makeRendererDir, pageHeaders } from './browserServerFixtures';
import { startHarness, type Harness } from './serviceHarness';

export interface UploadServer {
  h: Harness;
  server: BrowserServer;
  close(): Promise<void>;
}

/** A service with the fake provider answering `handler`, served in browser mode on a free port. */
export async function startUploadServer(handler: FakeHandler): Promise<UploadServer> {
  const h = await startHarness(handler);
  const page = makeRendererDir();
  const server = await startBrowserServer({ api: h.service, uploads: h.service.uploads, rendererDir: page.rendererDir, port: 0, log: () => undefined });
  return {
    h,
    server,
    async close() {
      await server.close();
      await h.close();
    },
  };
}

export interface PutAnswer {
  status: number;
  /** The answer's JSON, or its text when it is not JSON (a plain-text refusal). */
  body: unknown;
}

/**
 * A request (PUT unless said) whose body is written in `pieces`, one after the other, waiting for
 * the socket to drain between them; with the page's cookie and Origin unless `headers` are given.
 */
export function put(server: BrowserServer, path: string, pieces: Buffer | Buffer[], headers: Record<string, string | number> = pageHeaders(server), method = 'PUT'): Promise<PutAnswer> {
  const list = Array.isArray(pieces) ? pieces : [pieces];
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers: { Host: `127.0.0.1:${server.port}`, ...headers }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // a plain-text refusal
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    const next = (i: number): void => {
      if (i === list.length) return void req.end();
      if (req.write(list[i] as Buffer)) next(i + 1);
      else req.once('drain', () => next(i + 1));
    };
    next(0);
  });
}

/** `bytes` of numbered lines, `SEED 000000000012\n`, cut to the byte. */
export function textLines(bytes: number, seed = 'line'): Buffer {
  const text = Array.from({ length: Math.ceil(bytes / (seed.length + 14)) + 1 }, (_, i) => `${seed} ${String(i).padStart(12, '0')}\n`).join('');
  return Buffer.from(text.slice(0, bytes));
}

export async function beginUpload(service: RlmService, name: string, bytes: number, purpose?: 'import'): Promise<string> {
  return (await service.call('uploads.begin', { name, bytes, ...(purpose ? { purpose } : {}) })).uploadId;
}
