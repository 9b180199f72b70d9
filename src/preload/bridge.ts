// The RlmApi as the page sees it, built over ipcRenderer (index.ts passes it in, so that plain
// Node tests this file). Type imports only: a sandboxed preload can require nothing but
// 'electron', and whatever else it imports is bundled into it.
import type { CallOutcome, MethodName, MethodParams, MethodResult, RlmApi, RlmEvent, Unsubscribe } from '../shared/api';
import type { ErrorData } from '../shared/errors';
import { IPC_CHANNELS, type EventEnvelope, type SubscribeOutcome } from '../shared/ipcChannels';

/** ipcRenderer, reduced to what the bridge uses. */
export interface RendererIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): void;
}

type Listener = (event: RlmEvent) => void;

/** Events that arrive for a subscription before its id does are kept, up to this many. */
const EARLY_EVENTS_MAX = 10_000;

/**
 * `call` resolves with the method's value or rejects with plain ErrorData `{ code, message }`.
 * Not an Error: contextBridge rebuilds an Error as `new Error(message)` in the page and drops
 * every other property, `code` included (electron_api_context_bridge.cc), while a plain object
 * crosses whole. The page turns it into an RlmError with `fromErrorData` if it wants one.
 */
export function createRlmBridge(ipc: RendererIpc): RlmApi {
  const listeners = new Map<number, Listener>();
  // The reply to rlm:subscribe and the first events travel separately; between the two, events
  // of a subscription whose id is not known yet are held here.
  const early = new Map<number, RlmEvent[]>();
  let subscribing = 0;
  let earlyCount = 0;

  ipc.on(IPC_CHANNELS.event, (_event, payload) => {
    const envelope = payload as Partial<EventEnvelope> | null;
    const id = envelope?.subscriptionId;
    const event = envelope?.event;
    if (typeof id !== 'number' || !event) return;
    const listener = listeners.get(id);
    if (listener) {
      deliver(listener, event);
    } else if (subscribing > 0 && earlyCount < EARLY_EVENTS_MAX) {
      early.set(id, [...(early.get(id) ?? []), event]);
      earlyCount++;
    }
  });

  return {
    async call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
      let outcome: unknown;
      try {
        outcome = await ipc.invoke(IPC_CHANNELS.call, method, params);
      } catch (error) {
        throw errorData('INTERNAL', error instanceof Error ? error.message : String(error));
      }
      return unwrap(outcome) as MethodResult<M>;
    },

    subscribe(runId: string | null, listener: Listener): Unsubscribe {
      let subscriptionId: number | null = null;
      let ended = false;
      subscribing++;
      ipc
        .invoke(IPC_CHANNELS.subscribe, runId)
        .then((raw) => {
          const outcome = raw as SubscribeOutcome;
          if (!outcome?.ok) {
            console.error(`rlm: subscribing failed: ${outcome?.error?.message ?? 'no answer'}`);
            return;
          }
          const id = outcome.value.subscriptionId;
          const held = early.get(id) ?? [];
          early.delete(id);
          earlyCount -= held.length;
          if (ended) {
            void ipc.invoke(IPC_CHANNELS.unsubscribe, id).catch(() => undefined);
            return;
          }
          subscriptionId = id;
          listeners.set(id, listener);
          for (const event of held) deliver(listener, event);
        })
        .catch((error: unknown) => console.error('rlm: subscribing failed:', error))
        .finally(() => {
          subscribing--;
          if (subscribing === 0) {
            early.clear();
            earlyCount = 0;
          }
        });
      return () => {
        if (ended) return;
        ended = true;
        if (subscriptionId === null) return;
        listeners.delete(subscriptionId);
        void ipc.invoke(IPC_CHANNELS.unsubscribe, subscriptionId).catch(() => undefined);
      };
    },
  };
}

function unwrap(outcome: unknown): unknown {
  const result = outcome as CallOutcome<unknown> | null;
  if (result?.ok === true) return result.value;
  if (result?.ok === false && typeof result.error?.code === 'string' && typeof result.error.message === 'string') {
    throw errorData(result.error.code, result.error.message);
  }
  throw errorData('INTERNAL', 'the desktop app sent an answer of an unknown shape');
}

function errorData(code: ErrorData['code'], message: string): ErrorData {
  return { code, message };
}

function deliver(listener: Listener, event: RlmEvent): void {
  try {
    listener(event);
  } catch (error) {
    // One subscriber's failure is its own; the others still get their events.
    console.error('rlm: an event listener threw:', error);
  }
}
