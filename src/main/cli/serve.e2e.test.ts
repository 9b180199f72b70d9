// `rlmscope serve` end to end: the built command as its own process, reached over loopback
// HTTP and WebSocket as a browser would, with the fake provider behind it.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
// eslint-disable-next-line no-restricted-imports -- the page's own client, tested against the server under Node.
import { createWebSocketApi, type SocketLike } from '../../renderer/api/wsClient';
import { makeRendererDir, openSocket, rawRequest } from '../testing/browserServerFixtures';
import { jsonOf, runCli, startCli, type CliResult } from '../testing/cli';
import { startFakeProvider, type FakeProvider } from '../fakeProvider/server';

let fake: FakeProvider;
const rendererDir = makeRendererDir().rendererDir;

beforeAll(async () => {
  fake = await startFakeProvider(() => ({ hang: true }), { apiKey: 'test-key' });
});

afterAll(async () => {
  await fake?.close();
});

interface Served {
  child: ChildProcess;
  result: Promise<CliResult>;
  url: URL;
  dbPath: string;
}

async function serve(...extra: string[]): Promise<Served> {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'rlm-serve-cli-')), 'rlmscope.db');
  const { child, result } = startCli(['serve', '--port', '0', '--db', dbPath, '--renderer-dir', rendererDir, ...extra], {
    OPENAI_BASE_URL: fake.url,
    OPENAI_API_KEY: 'test-key',
  });
  const line = await firstLine(child, result);
  return { child, result, url: new URL(line), dbPath };
}

function firstLine(child: ChildProcess, result: Promise<CliResult>): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: string) => {
      seen += chunk;
      const end = seen.indexOf('\n');
      if (end >= 0) resolve(seen.slice(0, end));
    });
    void result.then((r) => reject(new Error(`serve exited (${r.code}) before printing its URL: ${r.stderr}`)));
  });
}

describe('rlmscope serve', () => {
  it('prints the URL with its token first, and refuses whoever lacks the token', async () => {
    const s = await serve();
    try {
      expect(s.url.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const token = s.url.searchParams.get('token');
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const port = Number(s.url.port);
      expect((await rawRequest(port, '/')).status).toBe(403);
      expect((await rawRequest(port, '/assets/app.js')).status).toBe(403);
      expect(await openSocket(`ws://127.0.0.1:${port}/rlm`, { Origin: s.url.origin })).toEqual({ refused: 403 });
      const opened = await rawRequest(port, `/?token=${token}`);
      expect(opened.status).toBe(303);
      const cookie = String(opened.headers['set-cookie']).split(';')[0] as string;
      expect((await rawRequest(port, '/', { Cookie: cookie })).status).toBe(200);
    } finally {
      s.child.kill('SIGTERM');
    }
    expect((await s.result).code).toBe(0);
  });

  it('stops active runs on SIGTERM, records them as stopped, and exits 0', async () => {
    const s = await serve();
    const port = Number(s.url.port);
    const opened = await rawRequest(port, `/?token=${s.url.searchParams.get('token')}`);
    const cookie = String(opened.headers['set-cookie']).split(';')[0] as string;
    const api = createWebSocketApi(`ws://127.0.0.1:${port}/rlm`, {
      socket: (url) => new WebSocket(url, { headers: { Cookie: cookie, Origin: s.url.origin } }) as unknown as SocketLike,
    });
    let runId: string;
    try {
      // The fake provider never answers: the run is mid-call when the server is told to stop.
      ({ runId } = await api.call('runs.start', { query: 'hang', inputs: [{ kind: 'text', name: 'a.txt', text: 'abc' }] }));
      const status = await api.call('runs.get', { runId });
      expect(status.status).toBe('running');
    } finally {
      api.close();
      s.child.kill('SIGTERM');
    }
    const result = await s.result;
    expect(result.code).toBe(0);
    const shown = jsonOf<{ run: { status: string } }>(await runCli(['show', runId, '--json', '--db', s.dbPath]));
    expect(shown.run.status).toBe('stopped');
  });

  it('exits 2 with a clear message when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runCli(['serve', '--port', String(port), '--db', join(mkdtempSync(join(tmpdir(), 'rlm-serve-cli-')), 'x.db'), '--renderer-dir', rendererDir]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('exits 2 saying to build first when the page is not built', async () => {
    const result = await runCli(['serve', '--port', '0', '--renderer-dir', mkdtempSync(join(tmpdir(), 'rlm-empty-'))]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('run npm run build first');
  });

  it('refuses to be exposed beyond loopback', async () => {
    const result = await runCli(['serve', '--port', '0', '--host', '0.0.0.0', '--renderer-dir', rendererDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('127.0.0.1 only');
  });
});
