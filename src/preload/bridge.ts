// The RlmApi as the page sees it, built over ipcRenderer (index.ts passes it in, so that plain
// Node tests this file): an adapter of the client core (src/shared/apiClient.ts) to IPC. Type
// imports only, but for the core: a sandboxed preload can require nothing but 'electron', and
// whatever else it imports is bundled into it.
import type { MethodName, MethodParams, MethodResult, RlmApi, RlmEvent } from '../shared/api';
import { createApiClient } from '../shared/apiClient';
import type { CallOptions } from '../shared/cancellation';
import type { ErrorData } from '../shared/errors';
import { IPC_CHANNELS, type BridgedCallOptions, type EventEnvelope } from '../shared/ipcChannels';

/** ipcRenderer, reduced to what the bridge uses. */
export interface RendererIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): void;
}

/**
 * `call` resolves with the method's value or rejects with plain ErrorData `{ code, message }`.
 * Not an Error: contextBridge rebuilds an Error as `new Error(message)` in the page and drops
 * every other property, `code` included (electron_api_context_bridge.cc), while a plain object
 * crosses whole. The page turns it into an RlmError with `fromErrorData` if it wants one.
 */
export function createRlmBridge(ipc: RendererIpc): RlmApi {
  const client = createApiClient(
    {
      sendCall(id, method, params, cancellable) {
        // Without a signal the call goes as it always did; with one it carries the id a cancel names.
        const args = cancellable ? [method, params, id] : [method, params];
        ipc.invoke(IPC_CHANNELS.call, ...args).then(
          (outcome) => client.settle(id, outcome),
          (error: unknown) => client.settle(id, { ok: false, error: errorData('INTERNAL', error instanceof Error ? error.message : String(error)) }),
        );
        return true;
      },
      sendCancel(id) {
        void ipc.invoke(IPC_CHANNELS.cancel, id).catch(() => undefined);
      },
      sendSubscribe(localId, runId) {
        ipc.invoke(IPC_CHANNELS.subscribe, runId).then(
          (outcome) => client.subscribed(localId, outcome),
          (error: unknown) => client.subscribed(localId, { ok: false, error: errorData('INTERNAL', error instanceof Error ? error.message : String(error)) }),
        );
      },
      sendUnsubscribe(serverId) {
        void ipc.invoke(IPC_CHANNELS.unsubscribe, serverId).catch(() => undefined);
      },
    },
    { peerName: 'the desktop app', report: (message, error) => (error === undefined ? console.error(message) : console.error(message, error)) },
  );

  ipc.on(IPC_CHANNELS.event, (_event, payload) => {
    const envelope = payload as Partial<EventEnvelope> | null;
    const id = envelope?.subscriptionId;
    const event = envelope?.event;
    if (typeof id !== 'number' || !event) return;
    client.event(id, event as RlmEvent);
  });

  return client.api;
}

/**
 * The bridge's `call` as `window.rlm` exposes it: the page's AbortSignal cannot cross
 * contextBridge (ipcChannels.ts, BridgedCallOptions), so it comes as a watch function and is
 * turned back into a signal on this side.
 */
export function bridgedCall(api: RlmApi) {
  return <M extends MethodName>(method: M, params: MethodParams<M>, bridged?: BridgedCallOptions): Promise<MethodResult<M>> => {
    if (!bridged || typeof bridged.watch !== 'function') return api.call(method, params);
    const controller = new AbortController();
    if (bridged.aborted) controller.abort();
    const stopWatching = bridged.aborted ? () => undefined : bridged.watch(() => controller.abort());
    const options: CallOptions = { signal: controller.signal };
    return api.call(method, params, options).finally(() => stopWatching());
  };
}

function errorData(code: ErrorData['code'], message: string): ErrorData {
  return { code, message };
}
