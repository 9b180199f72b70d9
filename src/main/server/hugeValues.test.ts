// Issue 9, "huge values": three runs whose answers are 200 MiB strings killed `rlmscope serve` at
// the page's first runs.list (`RangeError: Invalid string length` in the WebSocket send), so the
// server died at every page load. Real service on a real database, real server, the page's client.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RlmApi } from '../../shared/api';
import { LIST_PREVIEW_CHARS, SHOW_PREVIEW_CHARS, VALUE_PAGE_CHARS_MAX } from '../../shared/valuePreview';
// eslint-disable-next-line no-restricted-imports -- the page's own client, tested against this server under Node.
import { createWebSocketApi, type SocketLike, type WebSocketApi } from '../../renderer/api/wsClient';
import type { RlmService } from '../service/rlmService';
import { HUGE_CHARS, hugeAnswer, makeHugeRunsDatabase } from '../testing/hugeRuns';
import { startBrowserServer, type BrowserServer } from './browserServer';
import { createServeService } from './serveService';
import { makeRendererDir, pageHeaders, wsUrl } from '../testing/browserServerFixtures';

let service: RlmService;
let server: BrowserServer;
let page: WebSocketApi;
const logged: string[] = [];

function connect(target: BrowserServer): WebSocketApi {
  return createWebSocketApi(wsUrl(target), { socket: (url) => new WebSocket(url, { headers: pageHeaders(target) }) as unknown as SocketLike });
}

beforeAll(async () => {
  const db = makeHugeRunsDatabase();
  service = createServeService({ dbPath: db, env: {}, onWarning: () => undefined });
  server = await startBrowserServer({ api: service, rendererDir: makeRendererDir().rendererDir, port: 0, log: (line) => logged.push(line) });
  page = connect(server);
  return async () => {
    page.close();
    await server.close();
    await service.close();
    rmSync(dirname(db), { recursive: true, force: true });
  };
}, 120_000);

describe('the browser-mode server with 200 MiB answers in the database', () => {
  it('lists the runs with previews and the true lengths, and keeps serving', async () => {
    const runs = await page.call('runs.list', {});
    expect(runs.map((run) => [run.runId, run.answer?.length, run.answerChars])).toEqual([
      ['huge-3', LIST_PREVIEW_CHARS, HUGE_CHARS],
      ['huge-2', LIST_PREVIEW_CHARS, HUGE_CHARS],
      ['huge-1', LIST_PREVIEW_CHARS, HUGE_CHARS],
    ]);
    await expect(page.call('app.info', {})).resolves.toMatchObject({ mode: 'browser' });
  }, 60_000);

  it('shows a run with a bounded preview, and cuts a payload value with a note', async () => {
    const run = await page.call('runs.get', { runId: 'huge-1' });
    expect(run.answer).toBe(hugeAnswer('huge-1').slice(0, SHOW_PREVIEW_CHARS));
    expect(run.answerChars).toBe(HUGE_CHARS);
    const payload = await page.call('nodes.get', { runId: 'huge-1', nodeId: 1 });
    expect(payload.answer?.length).toBeLessThan(SHOW_PREVIEW_CHARS + 300);
    expect(payload.answer).toContain('[cut here: the whole value is 209,715,200 characters (210 MB)');
  }, 60_000);

  it('gives the whole value page by page (what the page downloads)', async () => {
    const first = await page.call('runs.readValue', { runId: 'huge-2', field: 'answer' });
    expect(first).toMatchObject({ offset: 0, totalChars: HUGE_CHARS });
    expect(first.text.length).toBe(VALUE_PAGE_CHARS_MAX);
    const last = await page.call('runs.readValue', { runId: 'huge-2', field: 'answer', offset: HUGE_CHARS - 5, length: 100 });
    expect(last).toEqual({ text: 'aaaaZ', offset: HUGE_CHARS - 5, totalChars: HUGE_CHARS });
    await expect(page.call('runs.readValue', { runId: 'huge-2', field: 'error' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(page.call('runs.readValue', { runId: 'huge-2', field: 'answer', length: VALUE_PAGE_CHARS_MAX + 1 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  }, 60_000);
});

describe('a send that fails', () => {
  it('fails that one call, not the connection or the server', async () => {
    // The service, with one method whose answer cannot be serialised (as a value longer than
    // a JavaScript string may be cannot): the transport's own fault path, nothing else changed.
    const api: RlmApi = {
      call: (method, params) => (method === 'app.info' ? Promise.resolve({ big: 1n } as never) : service.call(method, params)),
      subscribe: (runId, listener) => service.subscribe(runId, listener),
    };
    const other = await startBrowserServer({ api, rendererDir: makeRendererDir().rendererDir, port: 0, log: (line) => logged.push(line) });
    const client = connect(other);
    try {
      await expect(client.call('app.info', {})).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('the answer could not be sent') });
      await expect(client.call('runs.list', { limit: 1 })).resolves.toHaveLength(1);
      expect(other.connectionCount()).toBe(1);
      expect(logged.some((line) => line.includes('could not be sent'))).toBe(true);
    } finally {
      client.close();
      await other.close();
    }
  }, 60_000);
});
