import { describe, expect, it, vi } from 'vitest';
import type { RlmEvent } from '../shared/api';
import { IPC_CHANNELS } from '../shared/ipcChannels';
import { createRlmBridge, type RendererIpc } from './bridge';

const statusEvent = (runId: string): RlmEvent => ({ type: 'run.statusChanged', runId, status: 'paused' });

/** ipcRenderer with scripted answers; events are pushed by hand. */
function fakeIpc(answer: (channel: string, args: unknown[]) => unknown) {
  const invoked: Array<{ channel: string; args: unknown[] }> = [];
  const listeners = new Map<string, Array<(event: unknown, payload: unknown) => void>>();
  const ipc: RendererIpc = {
    async invoke(channel, ...args) {
      invoked.push({ channel, args });
      return answer(channel, args);
    },
    on(channel, listener) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
    },
  };
  const push = (subscriptionId: number, event: RlmEvent) => {
    for (const listener of listeners.get(IPC_CHANNELS.event) ?? []) listener({}, { subscriptionId, event });
  };
  return { ipc, invoked, listeners, push };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('preload bridge: call', () => {
  it('resolves with the value of a successful call', async () => {
    const fake = fakeIpc(() => ({ ok: true, value: [{ runId: 'r-1' }] }));
    const rlm = createRlmBridge(fake.ipc);
    await expect(rlm.call('runs.list', {})).resolves.toEqual([{ runId: 'r-1' }]);
    expect(fake.invoked).toEqual([{ channel: IPC_CHANNELS.call, args: ['runs.list', {}] }]);
  });

  it('passes bytes in params to IPC untouched (structured clone carries a Uint8Array as it is)', async () => {
    const fake = fakeIpc(() => ({ ok: true, value: { received: 3, complete: true } }));
    const rlm = createRlmBridge(fake.ipc);
    const params = { uploadId: 'u-abcdefgh', offset: 0, data: new Uint8Array([104, 105, 10]) };
    await expect(rlm.call('uploads.append', params)).resolves.toEqual({ received: 3, complete: true });
    expect(fake.invoked[0]?.args[1]).toBe(params);
    expect((fake.invoked[0]?.args[1] as typeof params).data).toBeInstanceOf(Uint8Array);
  });

  it('rejects with the error data (code and message) of a failed call', async () => {
    const fake = fakeIpc(() => ({ ok: false, error: { code: 'NOT_FOUND', message: 'no run r-9' } }));
    const rlm = createRlmBridge(fake.ipc);
    await expect(rlm.call('runs.get', { runId: 'r-9' })).rejects.toEqual({ code: 'NOT_FOUND', message: 'no run r-9' });
  });

  it('rejects with INTERNAL on a broken transport or an answer of an unknown shape', async () => {
    const broken = createRlmBridge({ invoke: () => Promise.reject(new Error('No handler registered')), on: () => undefined });
    await expect(broken.call('runs.list', {})).rejects.toEqual({ code: 'INTERNAL', message: 'No handler registered' });
    const odd = createRlmBridge(fakeIpc(() => 'surprise').ipc);
    await expect(odd.call('runs.list', {})).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});

describe('preload bridge: subscribe', () => {
  it('shares one IPC listener among all subscriptions and dispatches by subscription id', async () => {
    let next = 7;
    const fake = fakeIpc((channel) => (channel === IPC_CHANNELS.subscribe ? { ok: true, value: { subscriptionId: next++ } } : { ok: true, value: null }));
    const rlm = createRlmBridge(fake.ipc);
    const a: RlmEvent[] = [];
    const b: RlmEvent[] = [];
    rlm.subscribe('r-1', (event) => a.push(event));
    rlm.subscribe(null, (event) => b.push(event));
    await flush();
    expect(fake.listeners.get(IPC_CHANNELS.event)).toHaveLength(1);
    fake.push(7, statusEvent('r-1'));
    fake.push(8, statusEvent('r-2'));
    fake.push(99, statusEvent('r-3'));
    expect(a).toEqual([statusEvent('r-1')]);
    expect(b).toEqual([statusEvent('r-2')]);
  });

  it('unsubscribes through main and stops delivering', async () => {
    const fake = fakeIpc((channel) => (channel === IPC_CHANNELS.subscribe ? { ok: true, value: { subscriptionId: 1 } } : { ok: true, value: null }));
    const rlm = createRlmBridge(fake.ipc);
    const seen: RlmEvent[] = [];
    const unsubscribe = rlm.subscribe(null, (event) => seen.push(event));
    await flush();
    unsubscribe();
    unsubscribe();
    fake.push(1, statusEvent('r-1'));
    expect(seen).toEqual([]);
    expect(fake.invoked.filter((i) => i.channel === IPC_CHANNELS.unsubscribe)).toEqual([{ channel: IPC_CHANNELS.unsubscribe, args: [1] }]);
  });

  it('ends a subscription that was dropped before main answered', async () => {
    const fake = fakeIpc((channel) => (channel === IPC_CHANNELS.subscribe ? { ok: true, value: { subscriptionId: 3 } } : { ok: true, value: null }));
    const rlm = createRlmBridge(fake.ipc);
    const listener = vi.fn();
    rlm.subscribe(null, listener)();
    await flush();
    fake.push(3, statusEvent('r-1'));
    expect(listener).not.toHaveBeenCalled();
    expect(fake.invoked.at(-1)).toEqual({ channel: IPC_CHANNELS.unsubscribe, args: [3] });
  });

  it('keeps events that arrive before the subscription id, and delivers them in order', async () => {
    let reply: (value: unknown) => void = () => undefined;
    const fake = fakeIpc((channel) => (channel === IPC_CHANNELS.subscribe ? new Promise((resolve) => (reply = resolve)) : { ok: true, value: null }));
    const rlm = createRlmBridge(fake.ipc);
    const seen: RlmEvent[] = [];
    rlm.subscribe(null, (event) => seen.push(event));
    await flush();
    fake.push(5, statusEvent('r-early'));
    reply({ ok: true, value: { subscriptionId: 5 } });
    await flush();
    fake.push(5, statusEvent('r-late'));
    expect(seen).toEqual([statusEvent('r-early'), statusEvent('r-late')]);
  });

  it('keeps delivering to the others when one listener throws', async () => {
    let next = 1;
    const fake = fakeIpc((channel) => (channel === IPC_CHANNELS.subscribe ? { ok: true, value: { subscriptionId: next++ } } : { ok: true, value: null }));
    const rlm = createRlmBridge(fake.ipc);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const seen: RlmEvent[] = [];
    rlm.subscribe(null, () => {
      throw new Error('listener bug');
    });
    rlm.subscribe(null, (event) => seen.push(event));
    await flush();
    fake.push(1, statusEvent('r-1'));
    fake.push(2, statusEvent('r-1'));
    expect(seen).toEqual([statusEvent('r-1')]);
    expect(errors).toHaveBeenCalled();
    errors.mockRestore();
  });
});
