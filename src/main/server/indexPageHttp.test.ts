// `GET /index/<runId>?after=…`: the pages of a run's node index after the first, over real
// loopback HTTP from a real service, read back by the page's own reader (renderer/api/
// indexOverHttp.ts); what it answers is what `runs.nodeIndex` answers over the WebSocket, errors
// included, and a run store opening a large run reads its later pages this way.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { writeUiRuns } from '../../../bench/uiRuns';
import { decodeNodeIndex, NODE_INDEX_ENCODING, type NodeIndex } from '../../shared/nodeIndex';
import { INDEX_PAGE_HEADERS } from '../../shared/indexPageHttp';
/* eslint-disable no-restricted-imports -- the page's own client and run store, tested against this server under Node. */
import { fetchIndexPages, withIndexPagesOverHttp, type IndexPageReader } from '../../renderer/api/indexOverHttp';
import { createWebSocketApi, type SocketLike, type WebSocketApi } from '../../renderer/api/wsClient';
import { FIRST_PAGE_NODES, PAGE_NODES } from '../../renderer/run/indexPages';
import { createRunStore } from '../../renderer/run/runStore';
/* eslint-enable no-restricted-imports */
import { DEFAULT_LIMITS } from '../../shared/limits';
import { exported } from '../testing/portableFile';
import { tempDatabase } from '../testing/tempDatabase';
import { RunRepository, type WholeRunNode } from '../store/runRepository';
import { isRootConversation, repl, startHarness, turn, type Harness } from '../testing/serviceHarness';
import { makeRendererDir, pageHeaders, rawRequest, wsUrl } from '../testing/browserServerFixtures';
import { startBrowserServer, type BrowserServer } from './browserServer';

const SUBS = 30;
let h: Harness;
let server: BrowserServer;
let runId: string;
const clients: WebSocketApi[] = [];

function connect(target = server): WebSocketApi {
  const client = createWebSocketApi(wsUrl(target), { socket: (url) => new WebSocket(url, { headers: pageHeaders(target) }) as unknown as SocketLike });
  clients.push(client);
  return client;
}

/** The page's reader, its requests carrying the page's cookie, counted. */
function pageReader(target = server): { read: IndexPageReader; requests: string[] } {
  const requests: string[] = [];
  const read = fetchIndexPages((input, init) => {
    requests.push(String(input));
    return fetch(input, { ...init, headers: { Cookie: pageHeaders(target).Cookie } });
  }, `http://127.0.0.1:${target.port}`);
  return { read, requests };
}

beforeAll(async () => {
  h = await startHarness((req) => {
    if (!isRootConversation(req)) return { text: 'ok' };
    return { text: turn(req) === 0 ? repl(`await llm_query_batched(Array.from({ length: ${SUBS} }, (_, i) => 'part ' + i));`) : 'FINAL(done)' };
  });
  server = await startBrowserServer({ api: h.service, rendererDir: makeRendererDir().rendererDir, port: 0, log: () => undefined });
  ({ runId } = await h.service.call('runs.start', { query: 'pages', inputs: [{ kind: 'text', name: 'a.txt', text: 'a' }] }));
  await h.service.waitForRun(runId);
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await server?.close();
  await h?.close();
});

describe('a page of the index over HTTP', () => {
  it('is the bytes and the page of runs.nodeIndex, uncached, and the pages read this way make up the run', async () => {
    const nodes = await h.service.call('runs.nodes', { runId });
    expect(nodes.length).toBeGreaterThan(SUBS);
    const expected = await h.service.call('runs.nodeIndex', { runId, afterId: 3, limit: 10 });
    const res = await rawRequest(server.port, `/index/${runId}?after=3&limit=10`, pageHeaders(server));
    expect(res.status).toBe(200);
    expect(res.body).toBe(Buffer.from(expected.bytes).toString('utf8'));
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers[INDEX_PAGE_HEADERS.lastId]).toBe(String(expected.lastId));
    expect(res.headers[INDEX_PAGE_HEADERS.complete]).toBe('0');
    expect(res.headers[INDEX_PAGE_HEADERS.total]).toBe('');

    // The first page over the socket, as the run store asks for it; the rest in pages of 7.
    const socket = connect();
    const first = await socket.call('runs.nodeIndex', { runId, limit: 5 });
    const { read, requests } = pageReader();
    const pages: NodeIndex[] = [];
    for (let after = first.lastId; after !== null; ) {
      const page = await read({ runId, afterId: after, limit: 7 });
      expect(page).toEqual({ ...(await socket.call('runs.nodeIndex', { runId, afterId: after, limit: 7 })), bytes: page.bytes });
      expect(Buffer.from(page.bytes).equals(Buffer.from((await h.service.call('runs.nodeIndex', { runId, afterId: after, limit: 7 })).bytes))).toBe(true);
      pages.push(page);
      after = page.complete ? null : page.lastId;
    }
    expect(requests).toHaveLength(Math.ceil((nodes.length - 5 + 1) / 7));
    expect([first, ...pages].flatMap((page) => decodeNodeIndex(page))).toEqual(nodes);
    // Past the end: an empty, complete page.
    const past = await read({ runId, afterId: nodes.at(-1)!.id });
    expect(past).toMatchObject({ encoding: NODE_INDEX_ENCODING, lastId: null, complete: true, total: null });
    expect(decodeNodeIndex(past)).toEqual([]);
  });

  it('is refused without the token, with a wrong token, or sent to another Host, and says nothing of the run', async () => {
    const path = `/index/${runId}?after=1`;
    for (const headers of [{} as Record<string, string>, { Cookie: `${server.cookieName}=${server.token}x` }, { ...pageHeaders(server), Host: `evil.example:${server.port}` }]) {
      const res = await rawRequest(server.port, path, headers);
      expect(res.status).toBe(403);
      expect(res.body).not.toContain('part ');
      expect(res.headers[INDEX_PAGE_HEADERS.lastId]).toBeUndefined();
    }
    // The page's reader says what the WebSocket client says once the server refuses the page.
    const { read } = pageReader({ ...server, token: 'not-the-token' } as BrowserServer);
    await expect(read({ runId, afterId: 1 })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('no longer accepts this page') });
  });

  it('answers an unknown run as the WebSocket does: NOT_FOUND, with the same message', async () => {
    const res = await rawRequest(server.port, '/index/r-nope?after=1', pageHeaders(server));
    expect(res.status).toBe(404);
    const overSocket = await connect().call('runs.nodeIndex', { runId: 'r-nope', afterId: 1 }).catch((error: unknown) => error);
    expect(overSocket).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('r-nope') });
    expect(JSON.parse(res.body)).toEqual(overSocket);
    await expect(pageReader().read({ runId: 'r-nope', afterId: 1 })).rejects.toEqual(overSocket);
  });

  it('refuses bad parameters with INVALID_INPUT naming the parameter, and any method but GET', async () => {
    const bad: Array<[string, RegExp]> = [
      [`/index/${runId}`, /after: a node id/],
      [`/index/${runId}?after=`, /after: a node id/],
      [`/index/${runId}?after=-1`, /after: a node id/],
      [`/index/${runId}?after=1e3`, /after: a node id/],
      [`/index/${runId}?after=1&after=2`, /after: a node id/],
      [`/index/${runId}?after=${'9'.repeat(40)}`, /after: a node id/],
      [`/index/${runId}?after=1&limit=ten`, /limit: not a whole number/],
      // Whole numbers out of the schema's range: the service's own check, as over the WebSocket.
      [`/index/${runId}?after=1&limit=0`, /limit/],
      [`/index/${runId}?after=1&limit=99999999999`, /limit/],
      [`/index/${'x'.repeat(300)}?after=1`, /runId/],
    ];
    for (const [path, message] of bad) {
      const res = await rawRequest(server.port, path, pageHeaders(server));
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.body), path).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(message) });
    }
    expect((await rawRequest(server.port, `/index/${runId}?after=1`, pageHeaders(server), 'POST')).status).toBe(405);
    expect((await rawRequest(server.port, `/index/${runId}?after=1`, pageHeaders(server), 'HEAD')).status).toBe(405);
    expect((await rawRequest(server.port, '/index?after=1', pageHeaders(server))).status).toBe(404);
    expect((await rawRequest(server.port, `/index/${runId}/more?after=1`, pageHeaders(server))).status).toBe(404);
  });

  it('reads a run whose hostile log names its root model with a NUL and a megabyte after it, whole', async () => {
    const log = readFileSync(join(__dirname, '../interop/rlmsLog/fixtures/trace-log-example.jsonl'), 'utf8');
    const model = `gpt-4o\u0000${'\u{1F600}'.repeat(100_000)}`;
    const hostile = log.replaceAll('"gpt-4o"', JSON.stringify(model));
    const path = join(mkdtempSync(join(tmpdir(), 'rlm-hostile-')), 'hostile.jsonl');
    writeFileSync(path, hostile);
    const { runs } = await h.service.call('interop.import', { path });
    const imported = runs[0]!.runId;
    const nodes = await h.service.call('runs.nodes', { runId: imported });
    expect(nodes.filter((node) => node.model === model)).not.toHaveLength(0);
    const page = await pageReader().read({ runId: imported, afterId: 0 });
    expect(decodeNodeIndex(page)).toEqual(nodes);
  });

  // A portable file keeps its node ids, any whole number up to 2^53 - 1.
  it('reads a run imported from a portable file whose node ids have 16 digits, every page', async () => {
    const { db } = tempDatabase();
    const source = new RunRepository(db);
    const first = Number.MAX_SAFE_INTEGER - 10;
    const node = (id: number, parentId: number | null): WholeRunNode => ({
      id, parentId, kind: parentId === null ? 'rlm' : 'llm', depth: parentId === null ? 0 : 1, seq: id - first, status: 'completed', startedAt: 5000,
      endedAt: 6000, label: `n${id}`, model: parentId === null ? null : 'sub-m', purpose: parentId === null ? null : 'sub', inputTokens: 1,
      outputTokens: 1, cachedTokens: 0, costUsd: 0.1, usageEstimated: false, payload: {},
    });
    source.insertWholeRun({
      runId: 'big-ids', origin: 'imported', source: 's', createdAt: 5000, endedAt: 7000, status: 'completed', query: 'q', rootModel: 'root-m',
      subModel: 'sub-m', baseUrl: 'u', limits: DEFAULT_LIMITS, seed: 1, answer: 'x', stopReason: null, error: null, iterations: 1,
      maxDepthReached: 0, nodes: [node(first, null), ...Array.from({ length: 6 }, (_, i) => node(first + 1 + i, first))],
    });
    const path = join(mkdtempSync(join(tmpdir(), 'rlm-big-ids-')), 'big-ids.rlmscope');
    writeFileSync(path, await exported(db, 'big-ids'));
    const { runs } = await h.service.call('interop.import', { path });
    const imported = runs[0]!.runId;
    const nodes = await h.service.call('runs.nodes', { runId: imported });
    expect(nodes.map((n) => n.id)).toEqual(Array.from({ length: 7 }, (_, i) => first + i));
    const { read } = pageReader();
    const pages: NodeIndex[] = [];
    for (let after: number | null = 0; after !== null; ) {
      const page = await read({ runId: imported, afterId: after, limit: 3 });
      pages.push(page);
      after = page.complete ? null : page.lastId;
    }
    expect(pages.flatMap((page) => decodeNodeIndex(page))).toEqual(nodes);
  });

  it('carries a damaged node to the page, which refuses it with the message it gives over the WebSocket', async () => {
    const { runId: damaged } = await h.service.call('runs.start', { query: 'to damage', inputs: [{ kind: 'text', name: 'a.txt', text: 'a' }] });
    await h.service.waitForRun(damaged);
    const db = new Database(h.dbPath);
    db.prepare("UPDATE nodes SET kind = 'bogus' WHERE run_id = ? AND id = 3").run(damaged);
    db.close();
    const overSocket = await connect().call('runs.nodeIndex', { runId: damaged, afterId: 1 });
    const overHttp = await pageReader().read({ runId: damaged, afterId: 1 });
    const why = (index: NodeIndex) => {
      try {
        decodeNodeIndex(index);
        return null;
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(why(overHttp)).toMatch(/damaged/);
    expect(why(overHttp)).toBe(why(overSocket));
  });
});

describe('when the service cannot answer', () => {
  it('answers a closed service\'s error, as the WebSocket does', async () => {
    const closing = await startHarness(() => ({ text: 'FINAL(x)' }));
    const alone = await startBrowserServer({ api: closing.service, rendererDir: makeRendererDir().rendererDir, port: 0, log: () => undefined });
    try {
      const socket = connect(alone);
      await socket.call('runs.list', {});
      await closing.service.close();
      const overSocket = await socket.call('runs.nodeIndex', { runId: 'r-any', afterId: 1 }).catch((error: unknown) => error);
      expect(overSocket).toEqual({ code: 'INTERNAL', message: 'the service is closed' });
      const res = await rawRequest(alone.port, '/index/r-any?after=1', pageHeaders(alone));
      expect(res.status).toBe(500);
      await expect(pageReader(alone).read({ runId: 'r-any', afterId: 1 })).rejects.toEqual(overSocket);
    } finally {
      await alone.close();
      await closing.close();
    }
  });

  it('answers a store that cannot read the index with its STORE_FAILED, as the WebSocket does', async () => {
    const broken = await startHarness(() => ({ text: 'FINAL(x)' }));
    const alone = await startBrowserServer({ api: broken.service, rendererDir: makeRendererDir().rendererDir, port: 0, log: () => undefined });
    try {
      const { runId: kept } = await broken.service.call('runs.start', { query: 'kept', inputs: [{ kind: 'text', name: 'a.txt', text: 'a' }] });
      await broken.service.waitForRun(kept);
      // The run's row is still there, its nodes no longer readable: a damaged database.
      const db = new Database(broken.dbPath);
      db.exec('ALTER TABLE nodes RENAME TO nodes_gone');
      db.close();
      const overSocket = await connect(alone).call('runs.nodeIndex', { runId: kept, afterId: 1 }).catch((error: unknown) => error);
      expect(overSocket).toMatchObject({ code: 'STORE_FAILED' });
      const res = await rawRequest(alone.port, `/index/${kept}?after=1`, pageHeaders(alone));
      expect(res.status).toBe(500);
      await expect(pageReader(alone).read({ runId: kept, afterId: 1 })).rejects.toEqual(overSocket);
    } finally {
      await alone.close();
      await broken.close();
    }
  });

  it('says the server did not answer when it is gone', async () => {
    const gone = await startBrowserServer({ api: h.service, rendererDir: makeRendererDir().rendererDir, port: 0, log: () => undefined });
    const { read } = pageReader(gone);
    await gone.close();
    await expect(read({ runId, afterId: 1 })).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('did not answer') });
  });
});

describe('the run store in browser mode', () => {
  it('reads the first page over the socket and every later page over HTTP, the whole run in the end', async () => {
    const { big, bigNodes } = await writeUiRuns(h.dbPath, 2 * PAGE_NODES);
    const { read, requests } = pageReader();
    const socketCalls: unknown[] = [];
    const socket = connect();
    const counted = { call: ((method, params, options) => (socketCalls.push({ method, params }), socket.call(method, params, options))) as WebSocketApi['call'], subscribe: socket.subscribe };
    const store = createRunStore(withIndexPagesOverHttp(counted, read), big, (callback) => {
      const timer = setTimeout(callback, 0);
      return () => clearTimeout(timer);
    });
    const stop = store.start();
    try {
      const settled = () => store.state.getState().phase !== 'loading' && store.state.getState().nodesLoading === null;
      await expect.poll(settled, { timeout: 20_000 }).toBe(true);
      expect(store.state.getState()).toMatchObject({ phase: 'ready', loadError: null });
      expect(store.state.getState().model?.tree.nodes.size).toBe(bigNodes);
      expect(socketCalls.filter((c) => (c as { method: string }).method === 'runs.nodeIndex')).toEqual([{ method: 'runs.nodeIndex', params: { runId: big, limit: FIRST_PAGE_NODES } }]);
      expect(requests).toHaveLength(Math.ceil((bigNodes - FIRST_PAGE_NODES) / PAGE_NODES));
      expect(requests.every((url) => url.includes(`/index/${big}?after=`))).toBe(true);
    } finally {
      stop();
    }
  }, 60_000);
});
