// The RlmApi over the browser-mode WebSocket, driven by the page's own client
// (src/renderer/api/wsClient.ts) against a real service, a real database and the fake provider.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RlmEvent } from '../../shared/api';
import { decodeNodeIndex, NODE_INDEX_ENCODING, type NodeIndex } from '../../shared/nodeIndex';
import { decodeBinaryResult, encodeBinaryCall, type ServerMessage } from '../../shared/wsProtocol';
// eslint-disable-next-line no-restricted-imports -- the page's own client, tested against this server under Node.
import { createWebSocketApi, type SocketLike, type WebSocketApi } from '../../renderer/api/wsClient';
import { repl, startHarness, turn, type Harness } from '../testing/serviceHarness';
import { startBrowserServer, type BrowserServer } from './browserServer';
import { busSize, eventually, makeRendererDir, openSocket, pageHeaders, uploadedPath, wsUrl } from '../testing/browserServerFixtures';

let h: Harness;
let server: BrowserServer;
const clients: WebSocketApi[] = [];
const sockets: WebSocket[] = [];

function connect(): WebSocketApi {
  const client = createWebSocketApi(wsUrl(server), {
    socket: (url) => new WebSocket(url, { headers: pageHeaders(server) }) as unknown as SocketLike,
  });
  clients.push(client);
  return client;
}

/** A raw socket, for what the page's client never sends. */
async function rawSocket(target = server): Promise<WebSocket> {
  const opened = await openSocket(wsUrl(target), pageHeaders(target));
  if (!('socket' in opened)) throw new Error(`refused with ${opened.refused}`);
  sockets.push(opened.socket);
  return opened.socket;
}

/** A binary frame as wsProtocol.ts lays it out, built by hand so that it can be wrong. */
function binaryFrame(header: unknown, bytes: Uint8Array = new Uint8Array([104, 105]), declaredLength?: number): Buffer {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), typeof header === 'string' ? 'latin1' : 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(declaredLength ?? json.length);
  return Buffer.concat([length, json, bytes]);
}

function nextMessage(socket: WebSocket): Promise<ServerMessage> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)) as ServerMessage)));
}

function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
}

beforeAll(async () => {
  h = await startHarness(() => ({ text: 'FINAL(unscripted)' }));
  server = await startBrowserServer({ api: h.service, rendererDir: makeRendererDir().rendererDir, port: 0, log: () => undefined });
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.terminate();
  // Each test starts with no page connected (their close arrives at the server asynchronously).
  await eventually(() => server.connectionCount() === 0);
});

afterAll(async () => {
  await server?.close();
  await h?.close();
});

describe('calls', () => {
  it('round-trip through the page\'s client', async () => {
    const api = connect();
    const runs = await api.call('runs.list', {});
    expect(Array.isArray(runs)).toBe(true);
    expect(api.state()).toBe('open');
  });

  it('answer with bytes (a node index) in one binary frame, read back whole by the page\'s client', async () => {
    const { runId } = await h.service.call('runs.start', { query: 'index', inputs: [{ kind: 'text', name: 'a.txt', text: 'a' }] });
    await h.service.waitForRun(runId);
    const nodes = await h.service.call('runs.nodes', { runId });
    const index = await connect().call('runs.nodeIndex', { runId });
    expect(index).toMatchObject({ encoding: NODE_INDEX_ENCODING, complete: true, total: nodes.length, lastId: nodes.at(-1)?.id });
    expect(decodeNodeIndex(index)).toEqual(nodes);
    // On the wire: a binary frame whose header is the result without its bytes; a failure stays text.
    const socket = await rawSocket();
    const frame = new Promise<{ data: Buffer; isBinary: boolean }>((resolve) => socket.once('message', (data, isBinary) => resolve({ data: data as Buffer, isBinary })));
    socket.send(JSON.stringify({ type: 'call', id: 7, method: 'runs.nodeIndex', params: { runId, limit: 1 } }));
    const { data, isBinary } = await frame;
    expect(isBinary).toBe(true);
    const decoded = decodeBinaryResult(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.message).toMatchObject({ id: 7, outcome: { ok: true, value: { encoding: NODE_INDEX_ENCODING, complete: false, lastId: 1 } } });
    expect(decodeNodeIndex((decoded.message.outcome as { value: NodeIndex }).value)).toEqual(nodes.slice(0, 1));
    const text = nextMessage(socket);
    socket.send(JSON.stringify({ type: 'call', id: 8, method: 'runs.nodeIndex', params: { runId: 'r-nope' } }));
    expect(await text).toMatchObject({ type: 'result', id: 8, outcome: { ok: false, error: { code: 'NOT_FOUND' } } });
  });

  it('reject with the service\'s error data for bad params and unknown runs', async () => {
    const api = connect();
    await expect(api.call('runs.get', { runId: '' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(api.call('runs.get', { runId: 'r-nope' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('r-nope') });
  });
});

describe('calls carrying bytes', () => {
  it('go from the page\'s client as one binary frame each, and the service gets the bytes as sent', async () => {
    const frames: Array<'text' | 'binary'> = [];
    const client = createWebSocketApi(wsUrl(server), {
      socket: (url) => {
        const ws = new WebSocket(url, { headers: pageHeaders(server) });
        const send = ws.send.bind(ws);
        ws.send = ((data: string | Blob) => {
          frames.push(typeof data === 'string' ? 'text' : 'binary');
          send(data);
        }) as typeof ws.send;
        return ws as unknown as SocketLike;
      },
    });
    clients.push(client);
    const text = Buffer.from('héllo ✓\n'.repeat(10_000));
    const { uploadId } = await client.call('uploads.begin', { name: 'bytes.txt', bytes: text.length });
    const half = 40_000;
    const answers = await Promise.all([
      client.call('uploads.append', { uploadId, offset: 0, data: new Uint8Array(text.subarray(0, half)) }),
      client.call('uploads.append', { uploadId, offset: half, data: new Uint8Array(text.subarray(half)) }),
    ]);
    expect(answers).toEqual([{ received: half, complete: false }, { received: text.length, complete: true }]);
    expect(frames).toEqual(['text', 'binary', 'binary']);
    expect(readFileSync(uploadedPath(h.service, uploadId))).toEqual(text);
    await client.call('uploads.cancel', { uploadId });
  });

  it('are refused by the client when they hold more than one field of bytes', async () => {
    const api = connect();
    const params = { uploadId: 'u-abcdefgh', offset: 0, data: new Uint8Array(1), extra: new Uint8Array(1) };
    await expect(api.call('uploads.append', params as never)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('one field of bytes') });
  });
});

describe('many calls at once', () => {
  it('are all answered, past the in-flight cap that pauses reading the socket', async () => {
    const api = connect();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => api.call('runs.list', { limit: i + 1 })));
    expect(answers).toHaveLength(200);
    expect(answers.every((runs) => Array.isArray(runs))).toBe(true);
  });
});

describe('bad messages', () => {
  it('get an error answer when they carry an id, and the connection keeps serving', async () => {
    const socket = await rawSocket();
    const unknown = nextMessage(socket);
    socket.send(JSON.stringify({ type: 'call', id: 7, method: 'process.exit', params: {} }));
    expect(await unknown).toEqual({ type: 'result', id: 7, outcome: { ok: false, error: { code: 'INVALID_INPUT', message: 'unknown method "process.exit"' } } });

    const malformed = nextMessage(socket);
    socket.send(JSON.stringify({ type: 'subscribe', id: -3, runId: 42 }));
    expect(await malformed).toMatchObject({ type: 'subscribed', id: -3, outcome: { ok: false, error: { code: 'INVALID_INPUT' } } });

    const extra = nextMessage(socket);
    socket.send(JSON.stringify({ type: 'call', id: 8, method: 'runs.list', params: {}, sneaky: true }));
    expect(await extra).toMatchObject({ type: 'result', id: 8, outcome: { ok: false } });

    const fine = nextMessage(socket);
    socket.send(JSON.stringify({ type: 'call', id: 9, method: 'runs.list', params: {} }));
    expect(await fine).toMatchObject({ type: 'result', id: 9, outcome: { ok: true } });
  });

  it('that cannot be answered close that connection (1008) and nothing else', async () => {
    const bystander = connect();
    await bystander.call('runs.list', {});
    for (const garbage of ['not json', JSON.stringify({ type: 'call', id: 'x' }), JSON.stringify([1, 2]), Buffer.from([1, 2, 3])]) {
      const socket = await rawSocket();
      const end = closed(socket);
      socket.send(garbage);
      expect((await end).code).toBe(1008);
    }
    await expect(bystander.call('runs.list', {})).resolves.toBeDefined();
  });

  it('in binary frames are answered by id as text ones are, and the connection keeps serving', async () => {
    const socket = await rawSocket();
    const ask = async (frame: Buffer | string) => {
      const answer = nextMessage(socket);
      socket.send(frame);
      return answer;
    };
    expect(await ask(binaryFrame({ type: 'call', id: 11, method: 'process.exit', params: {}, binaryField: 'data' }))).toEqual({
      type: 'result',
      id: 11,
      outcome: { ok: false, error: { code: 'INVALID_INPUT', message: 'unknown method "process.exit"' } },
    });
    expect(await ask(binaryFrame({ type: 'call', id: 12, method: 'uploads.append', params: {} }))).toEqual({
      type: 'result',
      id: 12,
      outcome: { ok: false, error: { code: 'INVALID_INPUT', message: 'invalid message: binaryField: not a field name' } },
    });
    expect(await ask(binaryFrame({ type: 'call', id: 13, method: 'runs.list', params: {}, binaryField: 'data', sneaky: true }))).toMatchObject({
      type: 'result',
      id: 13,
      outcome: { ok: false, error: { message: expect.stringContaining('sneaky') } },
    });
    expect(await ask(binaryFrame({ type: 'subscribe', id: -4, runId: null, binaryField: 'data' }))).toMatchObject({
      type: 'subscribed',
      id: -4,
      outcome: { ok: false, error: { message: 'invalid message: only a call can carry bytes' } },
    });
    // Bytes where the method's schema takes none: refused by the service's validation, as JSON would be.
    expect(await ask(binaryFrame({ type: 'call', id: 14, method: 'runs.list', params: {}, binaryField: 'search' }))).toMatchObject({
      type: 'result',
      id: 14,
      outcome: { ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('search') } },
    });

    const { uploadId } = await h.service.call('uploads.begin', { name: 'framed.txt', bytes: 2 });
    const append = encodeBinaryCall({ type: 'call', id: 15, method: 'uploads.append', params: { uploadId, offset: 0, data: new Uint8Array([111, 107]) } }, 'data');
    expect(await ask(Buffer.from(append))).toEqual({ type: 'result', id: 15, outcome: { ok: true, value: { received: 2, complete: true } } });
    expect(readFileSync(uploadedPath(h.service, uploadId), 'utf8')).toBe('ok');
    await h.service.call('uploads.cancel', { uploadId });
    expect(await ask(JSON.stringify({ type: 'call', id: 16, method: 'runs.list', params: {} }))).toMatchObject({ type: 'result', id: 16, outcome: { ok: true } });
  });

  it('in binary frames that cannot be answered close that connection (1008) and nothing else', async () => {
    const bystander = connect();
    await bystander.call('runs.list', {});
    const garbage: Array<[string, Buffer]> = [
      ['truncated', Buffer.from([0, 0, 1])],
      ['header length past the end', binaryFrame({ type: 'call', id: 1, method: 'runs.list', params: {}, binaryField: 'data' }, new Uint8Array(0), 10_000)],
      ['bad JSON', binaryFrame('{"type":"call","id":1,')],
      ['not UTF-8', binaryFrame('{"type":"call","id":1,"x":"\xff"}')],
      ['no id', binaryFrame({ type: 'call', method: 'runs.list', params: {}, binaryField: 'data' })],
      ['an array', binaryFrame([1, 2])],
    ];
    for (const [what, frame] of garbage) {
      const socket = await rawSocket();
      const end = closed(socket);
      socket.send(frame);
      expect((await end).code, what).toBe(1008);
    }
    await expect(bystander.call('runs.list', {})).resolves.toBeDefined();
  });

  it('past the size cap end the connection instead of filling memory', async () => {
    const small = await startBrowserServer({ api: h.service, rendererDir: makeRendererDir().rendererDir, port: 0, maxPayloadBytes: 1024, log: () => undefined });
    try {
      const socket = await rawSocket(small);
      const end = closed(socket);
      socket.send(JSON.stringify({ type: 'call', id: 1, method: 'runs.list', params: { search: 'x'.repeat(2000) } }));
      expect((await end).code).toBe(1009);
      const binary = await rawSocket(small);
      const binaryEnd = closed(binary);
      binary.send(encodeBinaryCall({ type: 'call', id: 2, method: 'uploads.append', params: { uploadId: 'u-abcdefgh', offset: 0, data: new Uint8Array(2000) } }, 'data'));
      expect((await binaryEnd).code).toBe(1009);
    } finally {
      await small.close();
    }
  });
});

describe('subscriptions', () => {
  it('are freed when the page unsubscribes or its socket closes', async () => {
    const before = busSize(h.service);
    const api = connect();
    const unsubscribe = api.subscribe(null, () => undefined);
    api.subscribe('r-some-run', () => undefined);
    await api.call('runs.list', {}); // answered after the subscribes, which were sent first
    await eventually(() => server.subscriptionCount() === 2);
    expect(busSize(h.service)).toBe(before + 2);
    unsubscribe();
    await eventually(() => busSize(h.service) === before + 1);
    api.close();
    await eventually(() => server.connectionCount() === 0 && server.subscriptionCount() === 0);
    expect(busSize(h.service)).toBe(before);
  });

  it('are freed when the page vanishes without closing (terminated socket)', async () => {
    const before = busSize(h.service);
    const socket = await rawSocket();
    for (const id of [-1, -2, -3]) {
      const answer = nextMessage(socket);
      socket.send(JSON.stringify({ type: 'subscribe', id, runId: null }));
      expect(await answer).toMatchObject({ type: 'subscribed', id, outcome: { ok: true } });
    }
    expect(busSize(h.service)).toBe(before + 3);
    socket.terminate();
    await eventually(() => busSize(h.service) === before && server.connectionCount() === 0);
  });

  it('deliver a run started over the WebSocket, live, to the page', async () => {
    h.fake.setHandler((req) =>
      turn(req) === 0
        ? { text: repl('print("lines:", context.split("\\n").length)'), chunkChars: 5 }
        : { text: 'FINAL(3 lines)', chunkChars: 3 },
    );
    const api = connect();
    const events: RlmEvent[] = [];
    const finished = new Promise<void>((resolve) =>
      api.subscribe(null, (event) => {
        events.push(event);
        if (event.type === 'run.finished') resolve();
      }),
    );
    await api.call('runs.list', {}); // the subscription is in place once this answers
    const { runId } = await api.call('runs.start', { query: 'How many lines?', inputs: [{ kind: 'text', name: 'doc.txt', text: 'a\nb\nc' }] });
    await finished;
    const ofRun = events.filter((e) => e.runId === runId);
    const types = new Set(ofRun.map((e) => e.type));
    for (const type of ['run.started', 'run.nodeAdded', 'run.nodeUpdated', 'run.replyStreamed', 'run.totalsChanged', 'run.finished']) {
      expect(types, type).toContain(type);
    }
    const streamed = ofRun.flatMap((e) => (e.type === 'run.replyStreamed' ? [e.delta] : [])).join('');
    expect(streamed).toContain('FINAL(3 lines)');
    expect(ofRun.at(-1)).toMatchObject({ type: 'run.finished', summary: { status: 'completed', answer: '3 lines' } });
    const detail = await api.call('runs.get', { runId });
    expect(detail).toMatchObject({ runId, status: 'completed' });
    const nodes = await api.call('runs.nodes', { runId });
    const cell = nodes.find((n) => n.kind === 'cell');
    expect(cell).toBeDefined();
    const payload = await api.call('nodes.get', { runId, nodeId: cell!.id });
    expect(JSON.stringify(payload)).toContain('lines: 3');
  });
});

describe('a page that stops reading', () => {
  it('is disconnected once too much is queued for it, and the run goes on', async () => {
    const tight = await startBrowserServer({
      api: h.service,
      rendererDir: makeRendererDir().rendererDir,
      port: 0,
      limits: { maxBufferedBytes: 256 * 1024 },
      log: () => undefined,
    });
    try {
      const before = busSize(h.service);
      const socket = await rawSocket(tight);
      const answer = nextMessage(socket);
      socket.send(JSON.stringify({ type: 'subscribe', id: -1, runId: null }));
      await answer;
      socket.pause(); // the page's tab froze: nothing more is read from the socket
      // 8 MB streamed in 4 KB pieces: far more than the socket buffers hold. The answer comes first:
      // the engine reads only a reply's first 1,000,000 characters (replyParser's MAX_REPLY_CHARS).
      h.fake.setHandler(() => ({ text: `FINAL(done)\n${'x'.repeat(8_000_000)}`, chunkChars: 4096 }));
      const { runId } = await h.service.call('runs.start', { query: 'stream a lot', inputs: [] });
      await eventually(() => tight.connectionCount() === 0, 30_000);
      expect(busSize(h.service)).toBe(before);
      expect((await h.service.waitForRun(runId)).status).toBe('completed');
    } finally {
      await tight.close();
    }
  }, 60_000);

  it('is dropped by the keep-alive when it stops answering pings', async () => {
    const pinging = await startBrowserServer({ api: h.service, rendererDir: makeRendererDir().rendererDir, port: 0, pingIntervalMs: 100, log: () => undefined });
    try {
      const socket = await rawSocket(pinging);
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(pinging.connectionCount()).toBe(1); // a reading page answers pings and stays
      socket.pause();
      await eventually(() => pinging.connectionCount() === 0, 5000);
    } finally {
      await pinging.close();
    }
  });
});

describe('shutting down', () => {
  it('closes every page\'s socket with 1001 and frees their subscriptions', async () => {
    const before = busSize(h.service);
    const own = await startBrowserServer({ api: h.service, rendererDir: makeRendererDir().rendererDir, port: 0, log: () => undefined });
    const socket = await rawSocket(own);
    const answer = nextMessage(socket);
    socket.send(JSON.stringify({ type: 'subscribe', id: -1, runId: null }));
    await answer;
    const end = closed(socket);
    await own.close();
    expect((await end).code).toBe(1001);
    expect(busSize(h.service)).toBe(before);
    expect(await openSocket(wsUrl(own), pageHeaders(own)).catch((error: Error) => error.message)).toMatch(/ECONNREFUSED/);
  });
});

describe('a page whose connection drops', () => {
  it('fails a call the server already got instead of sending it again (it may have run)', async () => {
    const sent: string[] = [];
    let live: WebSocket | null = null;
    const client = createWebSocketApi(wsUrl(server), {
      maxRetryMs: 50,
      socket: (url) => {
        const ws = new WebSocket(url, { headers: pageHeaders(server) });
        live = ws;
        const send = ws.send.bind(ws);
        // Records what the page sends, and loses every answer: the call stays in flight.
        ws.send = ((data: string) => {
          sent.push(data);
          send(data);
        }) as typeof ws.send;
        const like = ws as unknown as SocketLike;
        queueMicrotask(() => {
          const deliver = like.onmessage;
          like.onmessage = (event) => {
            if (!String(event.data).includes('"result"')) deliver?.(event);
          };
        });
        return like;
      },
    });
    clients.push(client);
    await eventually(() => client.state() === 'open');
    const dropped = expect(client.call('runs.list', {})).rejects.toMatchObject({ message: expect.stringContaining('dropped before it answered') });
    await eventually(() => sent.some((m) => m.includes('"runs.list"')));
    (live as WebSocket | null)?.terminate();
    await dropped;
    await eventually(() => client.state() === 'open');
    expect(sent.filter((m) => m.includes('"runs.list"'))).toHaveLength(1);
  });

  it('says the server refuses it (restarted with a new token) and stops retrying', async () => {
    const headers = { Cookie: `${server.cookieName}=not-the-token`, Origin: server.origin };
    let attempts = 0;
    const client = createWebSocketApi(wsUrl(server), {
      maxRetryMs: 20,
      socket: (url) => {
        attempts++;
        return new WebSocket(url, { headers }) as unknown as SocketLike;
      },
      isRefused: async () => (await fetch(`${server.origin}/`, { method: 'HEAD', headers: { Cookie: headers.Cookie } })).status === 403,
    });
    clients.push(client);
    const refused = expect(client.call('runs.list', {})).rejects.toMatchObject({ message: expect.stringContaining('open the URL it printed') });
    await eventually(() => client.state() === 'refused');
    await refused;
    const seen = attempts;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(attempts).toBe(seen);
  });
});
