import { afterEach, describe, expect, it } from 'vitest';
import type { RlmApi, RlmEvent } from '../../shared/api';
import type { ErrorData } from '../../shared/errors';
import { lastUser, repl, startHarness, turn, type Harness } from '../testing/serviceHarness';
import { IPC_CHANNELS, type EventEnvelope } from '../../shared/ipcChannels';
import { APP_INDEX_URL, APP_ORIGIN } from './appScheme';
import { appOrigin, createIpcRouter, isTrustedSender, type FrameLike, type IpcHandler, type IpcRouter, type Peer } from './ipcRouter';

const INDEX = APP_INDEX_URL;
const APP_ORIGINS = [APP_ORIGIN];
const DEV_ORIGINS = [appOrigin('http://localhost:5173/') as string];

function topFrame(url: string): FrameLike {
  return { url, parent: null };
}

/** ipcMain as the router sees it: handlers by channel, invoked the way Electron would. */
class FakeIpcServer {
  readonly handlers = new Map<string, IpcHandler>();
  handle(channel: string, handler: IpcHandler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, from: { frame: FrameLike | null | undefined; peer: Peer }, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(from, args);
  }
}

/** A WebContents: records what it is sent, and can be destroyed or navigated. */
class FakeContents implements Peer {
  readonly sent: Array<{ channel: string; payload: unknown }> = [];
  readonly watchers = new Set<() => void>();
  private destroyed = false;
  constructor(readonly id: number) {}
  send(channel: string, payload: unknown): void {
    if (this.destroyed) throw new TypeError('Object has been destroyed');
    this.sent.push({ channel, payload: structuredClone(payload) });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  onPageGone(listener: () => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }
  /** A new document committed in the main frame (reload or navigation). */
  navigate(): void {
    for (const watcher of [...this.watchers]) watcher();
  }
  /** Gone without an event (a crash we were not told about). */
  vanish(): void {
    this.destroyed = true;
  }
  destroy(): void {
    this.destroyed = true;
    for (const watcher of [...this.watchers]) watcher();
  }
  events(): EventEnvelope[] {
    return this.sent.filter((m) => m.channel === IPC_CHANNELS.event).map((m) => m.payload as EventEnvelope);
  }
}

/** An RlmApi that records calls and counts live subscriptions, with events pushed by hand. */
function stubApi() {
  const calls: Array<{ method: string; params: unknown }> = [];
  const listeners = new Set<{ runId: string | null; listener: (event: RlmEvent) => void }>();
  const api: RlmApi = {
    async call(method, params) {
      calls.push({ method, params });
      return [] as never;
    },
    subscribe(runId, listener) {
      const entry = { runId, listener };
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
  };
  const emit = (event: RlmEvent) => {
    for (const { runId, listener } of [...listeners]) if (runId === null || runId === event.runId) listener(event);
  };
  return { api, calls, listeners, emit };
}

const statusEvent = (runId: string): RlmEvent => ({ type: 'run.statusChanged', runId, status: 'paused' });

let router: IpcRouter | null = null;
let harness: Harness | null = null;
afterEach(async () => {
  router?.dispose();
  router = null;
  await harness?.close();
  harness = null;
});

function serve(api: RlmApi, origins = APP_ORIGINS, isAllowedPeer?: (peer: Peer) => boolean) {
  const server = new FakeIpcServer();
  const refused: string[] = [];
  router = createIpcRouter(api, server, { allowedOrigins: origins, isAllowedPeer, onRefused: (channel) => refused.push(channel) });
  return { server, router, refused };
}

describe('appOrigin', () => {
  it('is the origin of the app scheme and of http(s), and nothing for file: or opaque schemes', () => {
    expect(appOrigin('app://rlmscope/index.html#/runs')).toBe('app://rlmscope');
    expect(appOrigin('app://rlmscope')).toBe('app://rlmscope');
    expect(appOrigin('http://localhost:5173/src/main.tsx')).toBe('http://localhost:5173');
    expect(appOrigin('file:///opt/RLMScope/out/renderer/index.html')).toBeNull();
    expect(appOrigin('data:text/html,<p>x')).toBeNull();
    expect(appOrigin('about:blank')).toBeNull();
    expect(appOrigin('app://user:pw@rlmscope/')).toBeNull();
  });
});

describe('isTrustedSender', () => {
  it('accepts the top frame of the app page, built or on the dev server', () => {
    expect(isTrustedSender(topFrame(INDEX), APP_ORIGINS)).toBe(true);
    expect(isTrustedSender(topFrame(`${INDEX}#/runs/r-1?x=1`), APP_ORIGINS)).toBe(true);
    expect(isTrustedSender(topFrame('app://rlmscope/'), APP_ORIGINS)).toBe(true);
    expect(isTrustedSender(topFrame('http://localhost:5173/index.html'), DEV_ORIGINS)).toBe(true);
  });

  it('rejects other origins, other hosts of the scheme, and every local file', () => {
    expect(isTrustedSender(topFrame('https://evil.example/'), APP_ORIGINS)).toBe(false);
    expect(isTrustedSender(topFrame('app://evil/index.html'), APP_ORIGINS)).toBe(false);
    expect(isTrustedSender(topFrame('app://rlmscope.evil/index.html'), APP_ORIGINS)).toBe(false);
    expect(isTrustedSender(topFrame('app://rlmscope:8080/index.html'), APP_ORIGINS)).toBe(false);
    expect(isTrustedSender(topFrame('rlmscope://rlmscope/index.html'), APP_ORIGINS)).toBe(false);
    expect(isTrustedSender(topFrame('http://localhost:5174/'), DEV_ORIGINS)).toBe(false);
    expect(isTrustedSender(topFrame('http://127.0.0.1:5173/'), DEV_ORIGINS)).toBe(false);
    // file: pages are no longer the app, not even the built index.html.
    expect(isTrustedSender(topFrame('file:///tmp/download.html'), APP_ORIGINS)).toBe(false);
    expect(isTrustedSender(topFrame('file:///opt/RLMScope/out/renderer/index.html'), APP_ORIGINS)).toBe(false);
    expect(isTrustedSender(topFrame('file:///opt/RLMScope/out/renderer/index.html'), ['null'])).toBe(false);
    expect(isTrustedSender(topFrame('data:text/html,<p>x'), APP_ORIGINS)).toBe(false);
    expect(isTrustedSender(topFrame('about:blank'), APP_ORIGINS)).toBe(false);
    expect(isTrustedSender(topFrame('not a url'), APP_ORIGINS)).toBe(false);
    // The dev server's origin is not trusted when the built page is the app.
    expect(isTrustedSender(topFrame('http://localhost:5173/'), APP_ORIGINS)).toBe(false);
    // Nor the built page while the dev server is the app.
    expect(isTrustedSender(topFrame(INDEX), DEV_ORIGINS)).toBe(false);
  });

  it('rejects subframes, even of the app page, and missing or disposed frames', () => {
    expect(isTrustedSender({ url: INDEX, parent: topFrame(INDEX) }, APP_ORIGINS)).toBe(false);
    expect(isTrustedSender(null, APP_ORIGINS)).toBe(false);
    expect(isTrustedSender(undefined, APP_ORIGINS)).toBe(false);
    const disposed = {
      get url(): string {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
      parent: null,
    };
    expect(isTrustedSender(disposed, APP_ORIGINS)).toBe(false);
  });
});

describe('IPC router: calls', () => {
  it('refuses a call from an untrusted sender with error data, without calling the service', async () => {
    const stub = stubApi();
    const { server, refused } = serve(stub.api);
    const peer = new FakeContents(1);
    for (const frame of [topFrame('https://evil.example/'), { url: INDEX, parent: topFrame(INDEX) }, null]) {
      const outcome = await server.invoke(IPC_CHANNELS.call, { frame, peer }, 'runs.list', {});
      expect(outcome).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('refused') } });
    }
    expect(stub.calls).toEqual([]);
    expect(refused).toEqual([IPC_CHANNELS.call, IPC_CHANNELS.call, IPC_CHANNELS.call]);
  });

  it('refuses the right page in another window', async () => {
    const stub = stubApi();
    const { server } = serve(stub.api, APP_ORIGINS, (peer) => peer.id === 1);
    const outcome = await server.invoke(IPC_CHANNELS.call, { frame: topFrame(INDEX), peer: new FakeContents(2) }, 'runs.list', {});
    expect(outcome).toMatchObject({ ok: false });
    expect(stub.calls).toEqual([]);
  });

  it('answers an unknown method with error data, never a throw', async () => {
    const stub = stubApi();
    const { server } = serve(stub.api);
    const from = { frame: topFrame(INDEX), peer: new FakeContents(1) };
    for (const method of ['runs.destroy', 'constructor', '__proto__', 42, null, { toString: null }]) {
      const outcome = (await server.invoke(IPC_CHANNELS.call, from, method, {})) as { ok: boolean; error: ErrorData };
      expect(outcome.ok).toBe(false);
      expect(outcome.error.code).toBe('INVALID_INPUT');
      expect(outcome.error.message).toMatch(/^unknown method/);
    }
    expect(stub.calls).toEqual([]);
  });

  it('turns a failing service call into error data', async () => {
    const api: RlmApi = {
      call: async () => {
        throw new TypeError('boom');
      },
      subscribe: () => () => undefined,
    };
    const { server } = serve(api);
    const outcome = await server.invoke(IPC_CHANNELS.call, { frame: topFrame(INDEX), peer: new FakeContents(1) }, 'runs.list', {});
    expect(outcome).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
  });

  it('round-trips a real run through the real service', async () => {
    harness = await startHarness((req) =>
      turn(req) === 0 ? { text: repl('print(context.length)') } : { text: 'Counted.\nFINAL(5 characters)' },
    );
    const { server } = serve(harness.service);
    const peer = new FakeContents(1);
    const from = { frame: topFrame(INDEX), peer };
    const subscribed = (await server.invoke(IPC_CHANNELS.subscribe, from, null)) as { ok: true; value: { subscriptionId: number } };
    expect(subscribed.ok).toBe(true);

    const started = (await server.invoke(IPC_CHANNELS.call, from, 'runs.start', {
      query: 'How long is it?',
      inputs: [{ kind: 'text', name: 'doc.txt', text: 'hello' }],
    })) as { ok: true; value: { runId: string } };
    expect(started).toMatchObject({ ok: true, value: { runId: expect.any(String), warnings: [] } });
    const { runId } = started.value;
    await harness.service.waitForRun(runId);

    const detail = await server.invoke(IPC_CHANNELS.call, from, 'runs.get', { runId });
    expect(detail).toMatchObject({ ok: true, value: { runId, status: 'completed', answer: '5 characters' } });
    const list = await server.invoke(IPC_CHANNELS.call, from, 'runs.list', {});
    expect(list).toMatchObject({ ok: true, value: [{ runId }] });

    // The service's own errors cross as data with their code.
    expect(await server.invoke(IPC_CHANNELS.call, from, 'runs.get', { runId: 'r-missing' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await server.invoke(IPC_CHANNELS.call, from, 'runs.start', { query: '   ' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('query') },
    });

    // Every event of the run reached the window, in order, tagged with the subscription.
    const events = peer.events();
    expect(events.every((e) => e.subscriptionId === subscribed.value.subscriptionId)).toBe(true);
    expect(events.some((e) => e.event.type === 'run.started' && e.event.runId === runId)).toBe(true);
    expect(events.at(-1)?.event).toMatchObject({ type: 'run.finished', runId, summary: { status: 'completed' } });
    expect(events.filter((e) => e.event.type === 'run.nodeAdded').length).toBeGreaterThanOrEqual(3);
  });
});

describe('IPC router: bytes', () => {
  it('hands an upload chunk of raw bytes to the service as it arrives (a Uint8Array, structured-cloned)', async () => {
    harness = await startHarness((req) => (turn(req) === 0 ? { text: repl('print("<<" + context + ">>")') } : { text: `FINAL(${/<<([\s\S]*?)>>/.exec(lastUser(req))?.[1] ?? 'nothing'})` }));
    const { server } = serve(harness.service);
    const from = { frame: topFrame(INDEX), peer: new FakeContents(1) };
    const text = Buffer.from('héllo ✓ bytes');
    const begun = (await server.invoke(IPC_CHANNELS.call, from, 'uploads.begin', { name: 'dropped.txt', bytes: text.length })) as { ok: true; value: { uploadId: string } };
    const { uploadId } = begun.value;
    // What Electron's IPC does to the page's params: a structured clone, the bytes a Uint8Array.
    const chunk = (offset: number, end: number) => structuredClone({ uploadId, offset, data: new Uint8Array(text.subarray(offset, end)) });
    expect(await server.invoke(IPC_CHANNELS.call, from, 'uploads.append', chunk(0, 5))).toEqual({ ok: true, value: { received: 5, complete: false } });
    expect(await server.invoke(IPC_CHANNELS.call, from, 'uploads.append', chunk(5, text.length))).toEqual({ ok: true, value: { received: text.length, complete: true } });
    const started = (await server.invoke(IPC_CHANNELS.call, from, 'runs.start', { query: 'q', inputs: [{ kind: 'upload', uploadId }] })) as { ok: true; value: { runId: string } };
    expect(await harness.service.waitForRun(started.value.runId)).toMatchObject({ status: 'completed', answer: 'héllo ✓ bytes' });
  });
});

describe('IPC router: subscriptions', () => {
  it('delivers the events of the subscribed run only, to the subscribing window only', async () => {
    const stub = stubApi();
    const { server, router } = serve(stub.api);
    const a = new FakeContents(1);
    const b = new FakeContents(2);
    const outcome = (await server.invoke(IPC_CHANNELS.subscribe, { frame: topFrame(INDEX), peer: a }, 'r-1')) as {
      ok: true;
      value: { subscriptionId: number };
    };
    stub.emit(statusEvent('r-1'));
    stub.emit(statusEvent('r-2'));
    expect(a.events()).toEqual([{ subscriptionId: outcome.value.subscriptionId, event: statusEvent('r-1') }]);
    expect(b.sent).toEqual([]);
    expect(router.subscriptionCount()).toBe(1);
  });

  it('validates the run id and refuses untrusted subscribers', async () => {
    const stub = stubApi();
    const { server, router } = serve(stub.api);
    const peer = new FakeContents(1);
    for (const runId of [42, '', 'x'.repeat(101), { runId: 'r-1' }, undefined]) {
      expect(await server.invoke(IPC_CHANNELS.subscribe, { frame: topFrame(INDEX), peer }, runId)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
    }
    expect(await server.invoke(IPC_CHANNELS.subscribe, { frame: topFrame('https://evil.example/'), peer }, null)).toMatchObject({ ok: false });
    expect(stub.listeners.size).toBe(0);
    expect(router.subscriptionCount()).toBe(0);
    expect(peer.watchers.size).toBe(0);
  });

  it('ends a subscription on unsubscribe, and only for the window that owns it', async () => {
    const stub = stubApi();
    const { server, router } = serve(stub.api);
    const owner = new FakeContents(1);
    const other = new FakeContents(2);
    const { value } = (await server.invoke(IPC_CHANNELS.subscribe, { frame: topFrame(INDEX), peer: owner }, null)) as {
      value: { subscriptionId: number };
    };
    expect(await server.invoke(IPC_CHANNELS.unsubscribe, { frame: topFrame(INDEX), peer: other }, value.subscriptionId)).toEqual({
      ok: true,
      value: null,
    });
    expect(router.subscriptionCount()).toBe(1);
    await server.invoke(IPC_CHANNELS.unsubscribe, { frame: topFrame(INDEX), peer: owner }, value.subscriptionId);
    stub.emit(statusEvent('r-1'));
    expect(owner.events()).toEqual([]);
    expect(stub.listeners.size).toBe(0);
    expect(router.subscriptionCount()).toBe(0);
    // The window is no longer watched once it has nothing to clean up.
    expect(owner.watchers.size).toBe(0);
    expect(router.watchedPeerCount()).toBe(0);
  });

  it('removes every subscription of a window when it is destroyed: nothing leaks', async () => {
    const stub = stubApi();
    const { server, router } = serve(stub.api);
    const doomed = new FakeContents(1);
    const survivor = new FakeContents(2);
    for (let i = 0; i < 50; i++) await server.invoke(IPC_CHANNELS.subscribe, { frame: topFrame(INDEX), peer: doomed }, i % 2 ? null : `r-${i}`);
    await server.invoke(IPC_CHANNELS.subscribe, { frame: topFrame(INDEX), peer: survivor }, null);
    expect(stub.listeners.size).toBe(51);
    expect(doomed.watchers.size).toBe(1);

    doomed.destroy();
    expect(stub.listeners.size).toBe(1);
    expect(router.subscriptionCount()).toBe(1);
    expect(router.watchedPeerCount()).toBe(1);
    expect(doomed.watchers.size).toBe(0);
    stub.emit(statusEvent('r-0'));
    expect(survivor.events()).toHaveLength(1);
  });

  it('removes the subscriptions of the old page when the window navigates or reloads', async () => {
    const stub = stubApi();
    const { server, router } = serve(stub.api);
    const contents = new FakeContents(1);
    await server.invoke(IPC_CHANNELS.subscribe, { frame: topFrame(INDEX), peer: contents }, null);
    await server.invoke(IPC_CHANNELS.subscribe, { frame: topFrame(INDEX), peer: contents }, 'r-1');
    contents.navigate();
    expect(stub.listeners.size).toBe(0);
    expect(router.subscriptionCount()).toBe(0);
    expect(contents.watchers.size).toBe(0);
    // The new page subscribes afresh and is served.
    const again = (await server.invoke(IPC_CHANNELS.subscribe, { frame: topFrame(INDEX), peer: contents }, null)) as {
      value: { subscriptionId: number };
    };
    stub.emit(statusEvent('r-1'));
    expect(contents.events()).toEqual([{ subscriptionId: again.value.subscriptionId, event: statusEvent('r-1') }]);
  });

  it('drops the subscriptions of a window that is gone without saying so', async () => {
    const stub = stubApi();
    const { server, router } = serve(stub.api);
    const contents = new FakeContents(1);
    await server.invoke(IPC_CHANNELS.subscribe, { frame: topFrame(INDEX), peer: contents }, null);
    await server.invoke(IPC_CHANNELS.subscribe, { frame: topFrame(INDEX), peer: contents }, null);
    // Destroyed, but its watcher never fired: the next send notices.
    contents.vanish();
    stub.emit(statusEvent('r-1'));
    expect(stub.listeners.size).toBe(0);
    expect(router.subscriptionCount()).toBe(0);
  });

  it('removes its handlers and every subscription on dispose', async () => {
    const stub = stubApi();
    const { server, router } = serve(stub.api);
    const contents = new FakeContents(1);
    await server.invoke(IPC_CHANNELS.subscribe, { frame: topFrame(INDEX), peer: contents }, null);
    router.dispose();
    expect(server.handlers.size).toBe(0);
    expect(stub.listeners.size).toBe(0);
    expect(contents.watchers.size).toBe(0);
  });
});
