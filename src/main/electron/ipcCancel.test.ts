// Cancellation on the desktop app's IPC wire: the preload's bridge (src/preload/bridge.ts) wired
// to the router (ipcRouter.ts) the way Electron would, with structured clone between them. A page
// that aborts a call gets an AbortError at once and the handler's signal aborts in main; a page
// that goes away (reload, crash, window closed) has its calls in flight aborted.
import { describe, expect, it } from 'vitest';
import type { RlmApi } from '../../shared/api';
import type { AbortSignalLike } from '../../shared/cancellation';
import { IPC_CHANNELS } from '../../shared/ipcChannels';
import { bridgedCall, createRlmBridge } from '../../preload/bridge';
import { APP_INDEX_URL, APP_ORIGIN } from './appScheme';
import { createIpcRouter, type IpcHandler, type Peer } from './ipcRouter';

/** An RlmApi whose calls run until their signal aborts, recording each signal. */
function stallingApi() {
  const signals: AbortSignalLike[] = [];
  const api: RlmApi = {
    call(_method, _params, options) {
      const signal = options?.signal;
      if (signal) signals.push(signal);
      return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted in main')), { once: true }));
    },
    subscribe: () => () => undefined,
  };
  return { api, signals };
}

/** One window: its contents as the router sees them, and ipcRenderer as the bridge sees it. */
function wire(api: RlmApi) {
  const handlers = new Map<string, IpcHandler>();
  const watchers = new Set<() => void>();
  const invoked: Array<{ channel: string; args: unknown[] }> = [];
  const peer: Peer = { id: 1, send: () => undefined, isDestroyed: () => false, onPageGone: (listener) => (watchers.add(listener), () => watchers.delete(listener)) };
  const router = createIpcRouter(api, { handle: (channel, handler) => handlers.set(channel, handler), removeHandler: (channel) => handlers.delete(channel) }, { allowedOrigins: [APP_ORIGIN] });
  const bridge = createRlmBridge({
    invoke: async (channel, ...args) => {
      invoked.push({ channel, args });
      return handlers.get(channel)!({ frame: { url: APP_INDEX_URL, parent: null }, peer }, structuredClone(args));
    },
    on: () => undefined,
  });
  const pageGone = () => {
    for (const watcher of [...watchers]) watcher();
  };
  return { router, bridge, invoked, watchers, pageGone };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('cancelling a call over IPC', () => {
  it('rejects at once with an AbortError, and the handler\'s signal aborts in main', async () => {
    const stub = stallingApi();
    const { bridge, invoked, router } = wire(stub.api);
    const controller = new AbortController();
    const call = bridge.call('runs.list', {}, { signal: controller.signal });
    await tick();
    expect(stub.signals).toHaveLength(1);
    expect(router.watchedPeerCount()).toBe(1);
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    await tick();
    expect(stub.signals[0]!.aborted).toBe(true);
    const callArgs = invoked.find((i) => i.channel === IPC_CHANNELS.call)!.args;
    expect(invoked.filter((i) => i.channel === IPC_CHANNELS.cancel)).toEqual([{ channel: IPC_CHANNELS.cancel, args: [callArgs[2]] }]);
    // The call ended: nothing is left watching the window.
    expect(router.watchedPeerCount()).toBe(0);
    router.dispose();
  });

  it('sends a call without a signal as before, and never a cancel for it', async () => {
    const stub = stallingApi();
    const { bridge, invoked, router, pageGone } = wire(stub.api);
    void bridge.call('runs.list', {}).catch(() => undefined);
    await tick();
    expect(invoked).toEqual([{ channel: IPC_CHANNELS.call, args: ['runs.list', {}] }]);
    pageGone();
    router.dispose();
  });

  it('aborts the calls in flight of a page that goes away, and stops watching it', async () => {
    const stub = stallingApi();
    const { bridge, router, watchers, pageGone } = wire(stub.api);
    const calls = [bridge.call('runs.list', {}), bridge.call('runs.get', { runId: 'r-1' }, { signal: new AbortController().signal })];
    await tick();
    expect(stub.signals).toHaveLength(2);
    pageGone();
    expect(stub.signals.every((signal) => signal.aborted)).toBe(true);
    for (const call of calls) await expect(call).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(watchers.size).toBe(0);
    expect(router.watchedPeerCount()).toBe(0);
    router.dispose();
  });

  it('takes the page\'s signal as the watch function that crosses contextBridge', async () => {
    const stub = stallingApi();
    const { bridge, router } = wire(stub.api);
    const call = bridgedCall(bridge);
    let abort: () => void = () => undefined;
    let stopped = false;
    const pending = call('runs.list', {}, {
      aborted: false,
      watch: (listener) => {
        abort = listener;
        return () => (stopped = true);
      },
    });
    await tick();
    abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await tick();
    expect(stub.signals[0]!.aborted).toBe(true);
    expect(stopped).toBe(true);
    router.dispose();
  });
});
