// What a fork's engine asks of the recording it re-runs (DESIGN §11, issue 12): replay and fork
// are one mechanism, the recording as a cache of model calls. Each RLM of the fork follows the
// recorded RLM at its place in the tree (the root the root; a child the recorded child its parent
// started with the same query and context, in order), and asks it before each call: a request
// that matches the recorded one is answered from there, at no cost and with no request to the
// provider; anything else goes live. Cells always run for real, with the recorded clock and
// Math.random values while the RLM is still on its recorded path. The engine sees only this
// interface; debugger/forkCache.ts builds it from a stored run.
import type { ClockRecord } from '../../shared/clockRecord';
import type { ChatMessage } from '../../shared/domain/node';
import type { RandomPosition } from '../../shared/sandboxProtocol';

/** A call answered without the provider: the recorded reply, or the user's edit of it. */
export interface CachedReply {
  text: string;
  /** The recorded node it answers for (the parent run's). */
  nodeId: number;
  /** The user's edit replaced the recorded text: the fork's branch point. */
  edited: boolean;
  /** The edit was of the code of this recorded cell, which the reply holds. */
  codeOf?: number;
  /**
   * Not from the recording: this run's own identical sub-call answered it (--dedupe-subcalls,
   * engine/subCallDedupe.ts), and `nodeId` is that call's node in this run.
   */
  dedupe?: true;
}

/** The recorded values a cell gets while its RLM is still on its recorded path. */
export interface RecordedCellValues {
  clock: ClockRecord;
  random: RandomPosition | null;
  /** The recorded cell whose code the user replaced with this code (the branch point), if it is that one. */
  editOf: number | null;
}

/** One RLM of the recording, as a fork's RLM at the same place asks it. */
export interface RlmCache {
  /** The recorded RLM's node (the parent run's). */
  readonly nodeId: number;
  /** Its sandbox's Math.random seed: the fork's sandbox gets the same, so its cells draw the same values. */
  readonly seed: number | null;
  /** The time zone its sandbox ran in (a plain zone name), so the recorded clock reads the same; null: this machine's. */
  readonly timeZone: string | null;
  /** A turn: the recorded reply when the model and the whole conversation so far are the recorded ones. */
  turn(model: string, messages: readonly ChatMessage[]): CachedReply | null;
  /** What the turn replied (cached or live): a reply that is not the recorded one leaves the recorded path. */
  replied(text: string): void;
  /** A sub-call: the next recorded answer to the same model and prompt, in recorded order among equal ones. */
  sub(model: string, prompt: string): CachedReply | null;
  /** A child RLM: the next recorded child started with the same query and context documents. */
  child(query: string, documents: readonly string[]): RlmCache | null;
  /** The next cell, about to run `code`: the recorded values while on the recorded path, else null. */
  cell(code: string): RecordedCellValues | null;
  /** What that cell produced: an output or error not the recorded one leaves the recorded path. */
  cellDone(output: string, error: string | null): void;
}
