// The client half of every transport of the RlmApi: pending calls by id, their cancellation,
// and subscriptions (the server's id for each, events that arrive before it, subscribing again
// after a reconnection). The desktop preload (src/preload/bridge.ts, over IPC) and browser mode
// (src/renderer/api/wsClient.ts, over a WebSocket) are thin adapters around it: they send what
// it asks them to and hand it what arrives. Modelled on VS Code's ChannelClient
// (src/vs/base/parts/ipc/common/ipc.ts): an aborted call is rejected at once and a cancel goes on
// the wire, so the server stops the work.
// Type imports only from api.ts: the sandboxed preload bundles this file and can require nothing
// but 'electron' (api.ts pulls in zod).
import type { CallOutcome, MethodName, MethodParams, MethodResult, RlmApi, RlmEvent, Unsubscribe } from './api';
import { abortReason, type CallOptions } from './cancellation';
import type { ErrorData } from './errors';

/** What the core asks its transport to send. */
export interface ClientWire {
  /**
   * Sends a call; false when it cannot go now (the socket is down): it then waits for
   * `connected`. `cancellable`: the caller passed a signal, so a cancel may follow for this id.
   */
  sendCall(id: number, method: MethodName, params: unknown, cancellable: boolean): boolean;
  /** Tells the server that the caller gave up on a call it sent. */
  sendCancel(id: number): void;
  /** Its answer comes back through `subscribed(localId, …)`. */
  sendSubscribe(localId: number, runId: string | null): void;
  sendUnsubscribe(serverId: number): void;
}

export interface ApiClientOptions {
  /** Who answers, for the message of an answer of an unknown shape ("the desktop app"). */
  peerName: string;
  /** What a call fails with when the connection drops after it was sent (it may have run). */
  dropped?: ErrorData;
  /** Where failures nobody awaits go (console.error; the shared code has no console of its own). */
  report(message: string, error?: unknown): void;
}

export interface ApiClient {
  readonly api: RlmApi;
  // ---- what the transport hands in
  /** The answer to call `id`. */
  settle(id: number, outcome: unknown): void;
  /** The answer to the subscription `localId`. */
  subscribed(localId: number, outcome: unknown): void;
  event(serverId: number, event: RlmEvent): void;
  /** The connection is (again) up: subscribe again, send the calls that waited. */
  connected(): void;
  /** The connection dropped: calls already sent fail (they may have run), server ids are void. */
  disconnected(): void;
  /** Fails every pending call with `error` (the client is closed, or refused for good). */
  failAll(error: ErrorData): void;
  /** Forgets every subscription (the client is closed). */
  clearSubscriptions(): void;
}

/** Events that arrive for a subscription before its id does are kept, up to this many. */
const EARLY_EVENTS_MAX = 10_000;

interface PendingCall {
  method: MethodName;
  params: unknown;
  cancellable: boolean;
  sent: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Subscription {
  runId: string | null;
  listener: (event: RlmEvent) => void;
  /** The server's id on the current connection, once it answered. */
  serverId: number | null;
}

export function createApiClient(wire: ClientWire, options: ApiClientOptions): ApiClient {
  const pending = new Map<number, PendingCall>();
  const subscriptions = new Map<number, Subscription>();
  const byServerId = new Map<number, Subscription>();
  // The answer to a subscribe and the first events may travel apart (over IPC they do): between
  // the two, events under a server id not known yet are held here.
  const awaiting = new Set<number>();
  const early = new Map<number, RlmEvent[]>();
  let earlyCount = 0;
  let nextId = 1;

  function subscribeOnServer(localId: number, sub: Subscription): void {
    sub.serverId = null;
    awaiting.add(localId);
    wire.sendSubscribe(localId, sub.runId);
  }

  /**
   * Sends a pending call; one that cannot be sent (params JSON cannot hold, such as a BigInt)
   * fails alone, rather than staying pending to throw again for the calls after it.
   */
  function sendCall(id: number, call: PendingCall): boolean {
    try {
      return wire.sendCall(id, call.method, call.params, call.cancellable);
    } catch (error) {
      pending.delete(id);
      call.reject(error);
      return false;
    }
  }

  function doneAwaiting(localId: number): void {
    awaiting.delete(localId);
    if (awaiting.size === 0) clearEarly();
  }

  function clearEarly(): void {
    early.clear();
    earlyCount = 0;
  }

  const api: RlmApi = {
    call<M extends MethodName>(method: M, params: MethodParams<M>, callOptions?: CallOptions): Promise<MethodResult<M>> {
      const signal = callOptions?.signal;
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      const id = nextId++;
      return new Promise<MethodResult<M>>((resolve, reject) => {
        // However the call ends, the caller's signal stops holding on to it.
        let stopWatching: () => void = () => undefined;
        const call: PendingCall = {
          method,
          params,
          cancellable: signal !== undefined,
          sent: false,
          resolve: (value) => {
            stopWatching();
            resolve(value as MethodResult<M>);
          },
          reject: (error) => {
            stopWatching();
            reject(error);
          },
        };
        pending.set(id, call);
        if (signal) {
          const onAbort = () => {
            if (pending.get(id) !== call) return;
            pending.delete(id);
            // A call that never left needs no cancel; one that did is stopped on the server.
            if (call.sent) wire.sendCancel(id);
            reject(abortReason(signal));
          };
          signal.addEventListener('abort', onAbort, { once: true });
          stopWatching = () => signal.removeEventListener('abort', onAbort);
        }
        call.sent = sendCall(id, call);
      });
    },

    subscribe(runId: string | null, listener: (event: RlmEvent) => void): Unsubscribe {
      const localId = nextId++;
      const sub: Subscription = { runId, listener, serverId: null };
      subscriptions.set(localId, sub);
      subscribeOnServer(localId, sub);
      return () => {
        if (!subscriptions.delete(localId)) return;
        if (sub.serverId !== null) {
          byServerId.delete(sub.serverId);
          wire.sendUnsubscribe(sub.serverId);
        }
      };
    },
  };

  return {
    api,

    settle(id, outcome) {
      const call = pending.get(id);
      if (!call) return;
      pending.delete(id);
      const result = outcome as CallOutcome<unknown> | null;
      if (result?.ok === true) call.resolve(result.value);
      else if (result?.ok === false && typeof result.error?.code === 'string' && typeof result.error.message === 'string') {
        call.reject({ code: result.error.code, message: result.error.message } satisfies ErrorData);
      } else call.reject({ code: 'INTERNAL', message: `${options.peerName} sent an answer of an unknown shape` } satisfies ErrorData);
    },

    subscribed(localId, outcome) {
      const result = outcome as CallOutcome<{ subscriptionId: number }> | null;
      const sub = subscriptions.get(localId);
      const serverId = result?.ok === true ? result.value.subscriptionId : null;
      const held = serverId === null ? [] : (early.get(serverId) ?? []);
      if (serverId !== null) {
        early.delete(serverId);
        earlyCount -= held.length;
      }
      doneAwaiting(localId);
      if (!result?.ok) {
        options.report(`rlm: subscribing failed: ${result?.error?.message ?? 'no answer'}`);
        return;
      }
      if (!sub || serverId === null) {
        // Unsubscribed while the answer was on its way.
        if (serverId !== null) wire.sendUnsubscribe(serverId);
        return;
      }
      sub.serverId = serverId;
      byServerId.set(serverId, sub);
      for (const event of held) deliver(sub.listener, event, options.report);
    },

    event(serverId, event) {
      const sub = byServerId.get(serverId);
      if (sub) {
        deliver(sub.listener, event, options.report);
      } else if (awaiting.size > 0 && earlyCount < EARLY_EVENTS_MAX) {
        early.set(serverId, [...(early.get(serverId) ?? []), event]);
        earlyCount++;
      }
    },

    connected() {
      byServerId.clear();
      for (const [localId, sub] of subscriptions) subscribeOnServer(localId, sub);
      for (const [id, call] of pending) if (!call.sent) call.sent = sendCall(id, call);
    },

    disconnected() {
      byServerId.clear();
      awaiting.clear();
      clearEarly();
      const dropped = options.dropped ?? { code: 'INTERNAL', message: `the connection to ${options.peerName} dropped before it answered` };
      for (const [id, call] of pending) {
        if (!call.sent) continue;
        pending.delete(id);
        call.reject(dropped);
      }
    },

    failAll(error) {
      const calls = [...pending.values()];
      pending.clear();
      for (const call of calls) call.reject(error);
    },

    clearSubscriptions() {
      subscriptions.clear();
      byServerId.clear();
      awaiting.clear();
      clearEarly();
    },
  };
}

function deliver(listener: (event: RlmEvent) => void, event: RlmEvent, report: ApiClientOptions['report']): void {
  try {
    listener(event);
  } catch (error) {
    // One subscriber's failure is its own; the others still get their events.
    report('rlm: an event listener threw:', error);
  }
}
