// The ipcMain adapter against a stand-in for electron: requests reach the router with their
// frame and contents, and a window's page going away ends its subscriptions, listeners included.
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RlmApi, RlmEvent } from '../../shared/api';
import { IPC_CHANNELS } from '../../shared/ipcChannels';

const electron = vi.hoisted(() => ({ handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>() }));

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => electron.handlers.set(channel, handler),
    removeHandler: (channel: string) => electron.handlers.delete(channel),
  },
}));

const { serveRlmApi } = await import('./ipc');

const ORIGIN = 'app://rlmscope';
const PAGE = 'app://rlmscope/index.html';

class FakeWebContents extends EventEmitter {
  readonly sent: unknown[] = [];
  private destroyed = false;
  constructor(readonly id: number) {
    super();
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
  pageListeners(): number {
    return ['did-navigate', 'render-process-gone', 'destroyed'].reduce((n, name) => n + this.listenerCount(name), 0);
  }
}

function stubApi() {
  const listeners = new Set<(event: RlmEvent) => void>();
  const api: RlmApi = {
    call: async (method) => ({ method }) as never,
    subscribe: (_runId, listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { api, listeners };
}

function invoke(channel: string, contents: FakeWebContents, url: string, ...args: unknown[]) {
  const handler = electron.handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return handler({ sender: contents, senderFrame: { url, parent: null } }, ...args);
}

beforeEach(() => electron.handlers.clear());

describe('serveRlmApi', () => {
  it('registers the rlm: channels and serves our window only', async () => {
    const ours = new FakeWebContents(1);
    const other = new FakeWebContents(2);
    const router = serveRlmApi(stubApi().api, { allowedOrigins: [ORIGIN], windowContents: () => ours as never });
    expect([...electron.handlers.keys()].sort()).toEqual([IPC_CHANNELS.call, IPC_CHANNELS.cancel, IPC_CHANNELS.subscribe, IPC_CHANNELS.unsubscribe].sort());
    expect(await invoke(IPC_CHANNELS.call, ours, PAGE, 'runs.list', {})).toEqual({ ok: true, value: { method: 'runs.list' } });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(await invoke(IPC_CHANNELS.call, other, PAGE, 'runs.list', {})).toMatchObject({ ok: false });
    expect(await invoke(IPC_CHANNELS.call, ours, 'https://evil.example/', 'runs.list', {})).toMatchObject({ ok: false });
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
    router.dispose();
    expect(electron.handlers.size).toBe(0);
  });

  it('ends subscriptions and removes its listeners when the page navigates, crashes or is destroyed', async () => {
    const stub = stubApi();
    const contents = new FakeWebContents(1);
    serveRlmApi(stub.api, { allowedOrigins: [ORIGIN], windowContents: () => contents as never });
    for (const gone of ['did-navigate', 'render-process-gone'] as const) {
      await invoke(IPC_CHANNELS.subscribe, contents, PAGE, null);
      await invoke(IPC_CHANNELS.subscribe, contents, PAGE, 'r-1');
      expect(stub.listeners.size).toBe(2);
      expect(contents.pageListeners()).toBe(3);
      contents.emit(gone);
      expect(stub.listeners.size).toBe(0);
      expect(contents.pageListeners()).toBe(0);
    }
    await invoke(IPC_CHANNELS.subscribe, contents, PAGE, null);
    contents.destroy();
    expect(stub.listeners.size).toBe(0);
    expect(contents.pageListeners()).toBe(0);
  });
});
