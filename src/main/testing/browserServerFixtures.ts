// Test helpers for the browser-mode server: a small built page in a temp folder (with a secret
// beside it and symlinks that try to reach it), raw HTTP requests that keep their path exactly as
// written, and WebSocket clients that send the headers a browser would.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { RlmService } from '../service/rlmService';
import type { BrowserServer } from '../server/browserServer';

export const SECRET = 'TOP-SECRET-outside-the-renderer-folder';

export interface PageFixture {
  /** The folder served (holds index.html). */
  rendererDir: string;
  /** A file next to it, never to be served. */
  secretPath: string;
}

export function makeRendererDir(): PageFixture {
  const dir = mkdtempSync(join(tmpdir(), 'rlm-serve-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>RLMScope</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("app");');
  writeFileSync(join(rendererDir, 'assets', 'style.css'), 'body{}');
  writeFileSync(join(rendererDir, '.env'), SECRET);
  const secretPath = join(dir, 'secret.txt');
  writeFileSync(secretPath, SECRET);
  mkdirSync(join(dir, 'outside'));
  writeFileSync(join(dir, 'outside', 'secret.js'), SECRET);
  symlinkSync(secretPath, join(rendererDir, 'assets', 'escape.js'));
  symlinkSync(join(dir, 'outside'), join(rendererDir, 'assets', 'linked'));
  return { rendererDir, secretPath };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with the target sent byte for byte (fetch would normalise `/../`). */
export function rawRequest(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...headers }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The headers the page's own requests carry once it holds the cookie. */
export function pageHeaders(server: BrowserServer): { Cookie: string; Origin: string } {
  return { Cookie: `${server.cookieName}=${server.token}`, Origin: server.origin };
}

export function wsUrl(server: BrowserServer): string {
  return `ws://127.0.0.1:${server.port}/rlm`;
}

/** Opens a raw WebSocket; resolves with it once open, or with the HTTP status that refused it. */
export function openSocket(url: string, headers: Record<string, string>): Promise<{ socket: WebSocket } | { refused: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ refused: res.statusCode ?? 0 });
      res.resume();
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

/** Listeners on the service's event bus: what a transport leaks if it forgets to unsubscribe. */
export function busSize(service: RlmService): number {
  // The bus is the service's own; tests read it to prove that a closed page left nothing there.
  return service['bus'].size;
}

/** The file an upload was written to, once complete: to check its bytes arrived as they were sent. */
export function uploadedPath(service: RlmService, uploadId: string): string {
  return service.uploads.received(uploadId).path;
}

/** Polls until `check` holds (events and closes arrive asynchronously). */
export async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
