// Cancellation on the wire of browser mode: a page that aborts a call gets an AbortError at once
// and the handler's signal aborts on the server; a page whose socket closes has its calls in
// flight aborted. Driven by the page's own client (src/renderer/api/wsClient.ts) and raw sockets.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RlmApi } from '../../shared/api';
import type { AbortSignalLike } from '../../shared/cancellation';
// eslint-disable-next-line no-restricted-imports -- the page's own client, tested against this server under Node.
import { createWebSocketApi, type SocketLike, type WebSocketApi } from '../../renderer/api/wsClient';
import { startHarness, type Harness } from '../testing/serviceHarness';
import { startBrowserServer, type BrowserServer } from './browserServer';
import { eventually, makeRendererDir, openSocket, pageHeaders, wsUrl } from '../testing/browserServerFixtures';

/** An RlmApi whose `runs.list` runs until its signal aborts, recording each signal it got. */
function stallingApi() {
  const signals: AbortSignalLike[] = [];
  const api: RlmApi = {
    call(_method, _params, options) {
      const signal = options?.signal;
      if (signal) signals.push(signal);
      return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted on the server')), { once: true }));
    },
    subscribe: () => () => undefined,
  };
  return { api, signals };
}

const clients: WebSocketApi[] = [];
const sockets: WebSocket[] = [];
const servers: BrowserServer[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const server of servers.splice(0)) await server.close();
});

async function serve(api: RlmApi): Promise<BrowserServer> {
  const server = await startBrowserServer({ api, rendererDir: makeRendererDir().rendererDir, port: 0, log: () => undefined });
  servers.push(server);
  return server;
}

function connect(server: BrowserServer): WebSocketApi {
  const client = createWebSocketApi(wsUrl(server), { socket: (url) => new WebSocket(url, { headers: pageHeaders(server) }) as unknown as SocketLike });
  clients.push(client);
  return client;
}

async function rawSocket(server: BrowserServer): Promise<WebSocket> {
  const opened = await openSocket(wsUrl(server), pageHeaders(server));
  if (!('socket' in opened)) throw new Error(`refused with ${opened.refused}`);
  sockets.push(opened.socket);
  return opened.socket;
}

describe('a call its caller aborts', () => {
  it('rejects at once with an AbortError, and the handler\'s signal aborts on the server', async () => {
    const stub = stallingApi();
    const client = connect(await serve(stub.api));
    const controller = new AbortController();
    const call = client.call('runs.list', {}, { signal: controller.signal });
    await eventually(() => stub.signals.length === 1);
    expect(stub.signals[0]!.aborted).toBe(false);
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    await eventually(() => stub.signals[0]!.aborted);
    // The connection is still good for the next call.
    const next = new AbortController();
    const again = client.call('runs.list', {}, { signal: next.signal });
    await eventually(() => stub.signals.length === 2);
    next.abort(new Error('changed my mind'));
    await expect(again).rejects.toThrow('changed my mind');
  });

  it('never reaches the server when aborted before it was sent, and rejects with the signal\'s reason', async () => {
    const stub = stallingApi();
    const client = connect(await serve(stub.api));
    const early = new AbortController();
    early.abort();
    await expect(client.call('runs.list', {}, { signal: early.signal })).rejects.toMatchObject({ name: 'AbortError' });
    // Made while the socket is still connecting, aborted before it opens: dropped, not sent.
    const waiting = new AbortController();
    const queued = client.call('runs.list', {}, { signal: waiting.signal });
    waiting.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    await eventually(() => client.state() === 'open');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stub.signals).toEqual([]);
  });
});

describe('a page that goes away', () => {
  it('has its calls in flight aborted when its socket closes', async () => {
    const stub = stallingApi();
    const server = await serve(stub.api);
    const socket = await rawSocket(server);
    socket.send(JSON.stringify({ type: 'call', id: 1, method: 'runs.list', params: {} }));
    socket.send(JSON.stringify({ type: 'call', id: 2, method: 'runs.get', params: { runId: 'r-1' } }));
    await eventually(() => stub.signals.length === 2);
    socket.close();
    await eventually(() => stub.signals.every((signal) => signal.aborted));
  });

  it('cancels only its own calls: an id of another page\'s call is not an error and ends nothing', async () => {
    const stub = stallingApi();
    const server = await serve(stub.api);
    const [a, b] = [await rawSocket(server), await rawSocket(server)];
    a.send(JSON.stringify({ type: 'call', id: 1, method: 'runs.list', params: {} }));
    await eventually(() => stub.signals.length === 1);
    b.send(JSON.stringify({ type: 'cancel', id: 1 }));
    b.send(JSON.stringify({ type: 'call', id: 1, method: 'runs.list', params: {} }));
    await eventually(() => stub.signals.length === 2);
    expect(stub.signals[0]!.aborted).toBe(false);
    a.send(JSON.stringify({ type: 'cancel', id: 1 }));
    await eventually(() => stub.signals[0]!.aborted);
    expect(stub.signals[1]!.aborted).toBe(false);
  });
});

describe('documents.search through the real service', () => {
  let h: Harness;
  let server: BrowserServer;
  let runId: string;
  let hash: string;
  beforeAll(async () => {
    h = await startHarness(() => ({ text: 'FINAL(done)' }));
    server = await startBrowserServer({ api: h.service, rendererDir: makeRendererDir().rendererDir, port: 0, log: () => undefined });
    ({ runId } = await h.service.call('runs.start', { query: 'q', inputs: [{ kind: 'text', name: 'a.txt', text: `${'a'.repeat(40)}b\nsome more text` }] }));
    await h.service.waitForRun(runId);
    hash = (await h.service.call('runs.get', { runId })).inputs[0]!.hash;
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  // (a+)+$ against 40 a's and a b backtracks for ever; the service runs two searches at once and
  // cuts one off after 10 s. A third search answering quickly proves the first two stopped.
  const runaway = (api: RlmApi, signal?: AbortSignal) =>
    api.call('documents.search', { runId, hash, query: '(a+)+$', regex: true }, signal ? { signal } : undefined);

  it('stops when its caller cancels, and frees its place for the next search', async () => {
    const client = connect(server);
    const controllers = [new AbortController(), new AbortController()];
    const searches = controllers.map((c) => runaway(client, c.signal));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    for (const c of controllers) c.abort();
    for (const search of searches) await expect(search).rejects.toMatchObject({ name: 'AbortError' });
    const found = await client.call('documents.search', { runId, hash, query: 'more' });
    expect(found.matches).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops when its page\'s socket closes', async () => {
    const socket = await rawSocket(server);
    for (const id of [1, 2]) socket.send(JSON.stringify({ type: 'call', id, method: 'documents.search', params: { runId, hash, query: '(a+)+$', regex: true } }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    socket.terminate();
    const found = await connect(server).call('documents.search', { runId, hash, query: 'more' });
    expect(found.matches).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
