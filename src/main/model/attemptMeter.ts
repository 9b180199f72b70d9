// The model client's side of the run's budget (DESIGN §4, engine/budget.ts): the client asks
// before each attempt what output cap to send, and says after it what it may have been billed.
// Kept apart from the client so the engine's meter (engine/callMeter.ts) needs only these types.
import type { Usage } from './modelClient';

/**
 * A retried call is several requests, each billed on its own, so the budget is kept per attempt:
 * open() before each one resolves to the output cap to send (undefined: send none) or rejects to
 * give up; close() after it says what it may have been billed.
 */
export interface AttemptMeter {
  open(): Promise<number | undefined>;
  close(bill: AttemptBill): void;
}

export interface AttemptBill {
  /** The attempt's usage when it completed; null when it was abandoned (cut, timed out, aborted). */
  usage: Usage | null;
  providerCostUsd: number | null;
  /**
   * false: nothing can have been billed — the provider answered with an HTTP error status (a 429
   * or 5xx generates nothing), no connection was made, or the server rejected a parameter.
   */
  mayBeBilled: boolean;
  /** The reply text received before the attempt ended. */
  receivedText: string;
  /**
   * false: the reply was asked for whole, so an abandoned attempt received nothing, though the
   * provider may have generated (and billed) all of it.
   */
  streamed: boolean;
}

/**
 * OpenAI's newer models (gpt-5, o-series) reject `max_tokens` and want `max_completion_tokens`;
 * some OpenAI-compatible servers know only `max_tokens`. We send the new name and fall back.
 */
export type OutputCapParam = 'max_completion_tokens' | 'max_tokens';
