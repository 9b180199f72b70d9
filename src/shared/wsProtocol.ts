// The WebSocket wire of browser mode (`rlmscope serve`): the RlmApi's `call` and `subscribe`,
// the same operations the desktop app carries over IPC (ipcChannels.ts). One JSON object per
// message. Every message from the page is validated by the server; nothing is trusted.
import type { CallOutcome, RlmEvent } from './api';

/** The path of the WebSocket endpoint on the browser-mode server. */
export const WS_PATH = '/rlm';

export type ClientMessage =
  /** → a `result` with the same id. */
  | { type: 'call'; id: number; method: string; params: unknown }
  /** → a `subscribed` with the same id; then `event`s under the subscription id it carries. */
  | { type: 'subscribe'; id: number; runId: string | null }
  /** No answer; an unknown id is not an error (already gone). */
  | { type: 'unsubscribe'; subscriptionId: number };

export type ServerMessage =
  | { type: 'result'; id: number; outcome: CallOutcome<unknown> }
  | { type: 'subscribed'; id: number; outcome: CallOutcome<{ subscriptionId: number }> }
  | { type: 'event'; subscriptionId: number; event: RlmEvent };
