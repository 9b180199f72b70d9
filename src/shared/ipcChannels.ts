// The IPC wire between the desktop shell (src/main/electron) and its preload: channel names and
// message shapes.
// The preload bundles this file, and a sandboxed preload can require nothing but 'electron', so
// it must stay free of runtime imports (types only).
import type { CallOutcome, RlmEvent } from './api';

/** Every channel sits behind one prefix, so a handler can never be reached by accident. */
export const IPC_PREFIX = 'rlm:';

export const IPC_CHANNELS = {
  /** invoke(method, params) → CallOutcome of the method. */
  call: 'rlm:call',
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
