import { describe, expect, it, vi } from 'vitest';
import type { RlmEvent } from './api';
import { createApiClient, type ClientWire } from './apiClient';

/** A wire that records what the core sends; `up` says whether a call can go now. */
function fakeWire() {
  const sent: string[] = [];
  const state = { up: true };
  const wire: ClientWire = {
    sendCall: (id, method, _params, cancellable) => {
      if (!state.up) return false;
      sent.push(`call ${id} ${method}${cancellable ? ' cancellable' : ''}`);
      return true;
    },
    sendCancel: (id) => void sent.push(`cancel ${id}`),
    sendSubscribe: (localId, runId) => void sent.push(`subscribe ${localId} ${runId}`),
    sendUnsubscribe: (serverId) => void sent.push(`unsubscribe ${serverId}`),
  };
  const client = createApiClient(wire, { peerName: 'the test', report: () => undefined });
  return { client, sent, state };
}

const statusEvent = (runId: string): RlmEvent => ({ type: 'run.statusChanged', runId, status: 'paused' });

describe('the client core', () => {
  it('cancels a sent call on the wire and rejects it at once; its late answer is ignored', async () => {
    const { client, sent } = fakeWire();
    const controller = new AbortController();
    const call = client.api.call('runs.list', {}, { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(sent).toEqual(['call 1 runs.list cancellable', 'cancel 1']);
    client.settle(1, { ok: true, value: [] });
  });

  it('drops a call that waits for the connection when aborted, without a cancel', async () => {
    const { client, sent, state } = fakeWire();
    state.up = false;
    const controller = new AbortController();
    const call = client.api.call('runs.list', {}, { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    state.up = true;
    client.connected();
    expect(sent).toEqual([]);
  });

  it('sends waiting calls on connecting, fails sent ones on a drop, and subscribes again', async () => {
    const { client, sent, state } = fakeWire();
    const seen: RlmEvent[] = [];
    client.api.subscribe('r-1', (event) => seen.push(event));
    client.subscribed(1, { ok: true, value: { subscriptionId: 40 } });
    const sentCall = client.api.call('runs.list', {});
    client.disconnected();
    await expect(sentCall).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('the test') });
    state.up = false;
    const waiting = client.api.call('runs.get', { runId: 'r-1' });
    state.up = true;
    client.connected();
    client.settle(3, { ok: true, value: 'later' });
    await expect(waiting).resolves.toBe('later');
    client.subscribed(1, { ok: true, value: { subscriptionId: 7 } });
    client.event(40, statusEvent('old connection'));
    client.event(7, statusEvent('r-1'));
    expect(seen).toEqual([statusEvent('r-1')]);
    expect(sent).toEqual(['subscribe 1 r-1', 'call 2 runs.list', 'subscribe 1 r-1', 'call 3 runs.get']);
  });

  it('no longer holds the caller\'s signal once the call is answered', async () => {
    const { client } = fakeWire();
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const call = client.api.call('runs.list', {}, { signal: controller.signal });
    client.settle(1, { ok: false, error: { code: 'NOT_FOUND', message: 'no' } });
    await expect(call).rejects.toEqual({ code: 'NOT_FOUND', message: 'no' });
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
  });
});
