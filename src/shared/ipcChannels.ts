// The IPC wire between the desktop shell (src/main/electron) and its preload: channel names and
// message shapes.
// The preload bundles this file, and a sandboxed preload can require nothing but 'electron', so
// it must stay free of runtime imports (types only).
import type { CallOutcome, MethodName, MethodParams, MethodResult, RlmEvent, Unsubscribe } from './api';

/** Every channel sits behind one prefix, so a handler can never be reached by accident. */
export const IPC_PREFIX = 'rlm:';

export const IPC_CHANNELS = {
  /**
   * invoke(method, params) → CallOutcome of the method; invoke(method, params, callId) for a
   * call its caller may cancel.
   */
  call: 'rlm:call',
  /** invoke(callId) → CallOutcome<null>: the caller gave up on that call; its handler's signal aborts. */
  cancel: 'rlm:cancel',
  /** invoke(runId | null) → SubscribeOutcome. */
  subscribe: 'rlm:subscribe',
  /** invoke(subscriptionId) → CallOutcome<null>. */
  unsubscribe: 'rlm:unsubscribe',
  /** main → renderer: EventEnvelope. */
  event: 'rlm:event',
} as const;

export type SubscribeOutcome = CallOutcome<{ subscriptionId: number }>;

export interface EventEnvelope {
  subscriptionId: number;
  event: RlmEvent;
}

/**
 * How `window.rlm.call` takes an AbortSignal: contextBridge copies an object but not its
 * prototype, so an AbortSignal arrives in the preload empty, while a function crosses as a proxy
 * that calls back into the page. The page hands over `watch` (src/renderer/api/desktopApi.ts):
 * it calls its listener once the page's signal aborts and returns a function that stops watching.
 */
export interface BridgedCallOptions {
  aborted: boolean;
  watch(listener: () => void): () => void;
}

/** The RlmApi as the preload exposes it on `window.rlm`. */
export interface ExposedRlmApi {
  call<M extends MethodName>(method: M, params: MethodParams<M>, options?: BridgedCallOptions): Promise<MethodResult<M>>;
  subscribe(runId: string | null, listener: (event: RlmEvent) => void): Unsubscribe;
}
