// --dedupe-subcalls (issue 13): a sub-call whose exact (model, prompt) this run has already sent
// is answered from the first one's answer, at no cost and with no request, also while that first
// call is still in flight. Off by default: asking the same question several times is sometimes
// the point (voting). Only sub-calls come here (`llm_query`, each item of `llm_query_batched`,
// and `rlm_query` past the depth limit): never a model turn, never a child RLM (subCalls.ts).
//
// Invariants:
// - Only an answer that came back is served. A first call that fails or is aborted (its cell
//   ended) serves nobody: each duplicate waiting on it makes its own call, the first of them
//   becoming the new first.
// - A duplicate waits for the first with its own signal (its cell ended, the run stopped): it
//   never outlives what it was asked for. A paused run holds it at the caller's checkpoint.
// - No prompt or answer is held here: a run may send 100,000 large prompts. A key is a SHA-256
//   of the model and the prompt with their lengths (an exact match, not a 48-bit fingerprint that
//   two prompts could share), and an answered entry is the node that holds the answer, read back
//   from the store when a duplicate is served.
import { createHash } from 'node:crypto';
import { linkAbort } from '../model/abort';

/** A first call in flight (settles, answered or not, when it ends), or the node that answered. */
type Entry = { inFlight: Promise<void> } | { nodeId: number };

export interface DedupeCall {
  model: string;
  prompt: string;
  /** The duplicate's own signal: its cell ended, or the run stopped. */
  signal: AbortSignal;
  /** Makes the call (this one is the first); `onNode` is told the node that will hold its answer. */
  live(onNode: (id: number) => void): Promise<string>;
  /** The answer held by an earlier call's node; null when it cannot be read (then the call goes live). */
  answerOf(nodeId: number): string | null;
  /** Answers this duplicate with `text`, the answer of node `nodeId`, recorded as cached. */
  served(nodeId: number, text: string): Promise<string>;
}

export class SubCallDedupe {
  private readonly entries = new Map<string, Entry>();

  async call(call: DedupeCall): Promise<string> {
    const key = subCallKey(call.model, call.prompt);
    for (;;) {
      const entry = this.entries.get(key);
      if (entry === undefined) break;
      if ('inFlight' in entry) {
        await settledOrAborted(entry.inFlight, call.signal);
        continue;
      }
      const text = call.answerOf(entry.nodeId);
      if (text !== null) return call.served(entry.nodeId, text);
      // The node no longer holds an answer (cannot happen while the run writes it): ask again.
      this.entries.delete(key);
    }
    // The first: set before any await, so that duplicates arriving now (a batch) wait for it.
    let settle!: () => void;
    const inFlight = new Promise<void>((resolve) => (settle = resolve));
    const mine: Entry = { inFlight };
    this.entries.set(key, mine);
    let nodeId: number | null = null;
    try {
      const text = await call.live((id) => (nodeId = id));
      if (this.entries.get(key) === mine) {
        if (nodeId === null) this.entries.delete(key);
        else this.entries.set(key, { nodeId });
      }
      return text;
    } catch (error) {
      // A failed answer is never served: the next duplicate makes its own call.
      if (this.entries.get(key) === mine) this.entries.delete(key);
      throw error;
    } finally {
      settle();
    }
  }

  /** Distinct (model, prompt) pairs seen: answered or in flight. */
  get size(): number {
    return this.entries.size;
  }
}

/** The exact identity of a sub-call: model and prompt, each with its length so no two pairs run together. */
export function subCallKey(model: string, prompt: string): string {
  return createHash('sha256').update(`${model.length}:`).update(model).update(`${prompt.length}:`).update(prompt).digest('base64');
}

/** Resolves when `first` settles; rejects with the signal's reason as soon as `signal` aborts. */
function settledOrAborted(first: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    // One shared listener per signal (abort.ts): a batch of thousands of duplicates waits on one cell's signal.
    const unlink = linkAbort(signal, () => reject(signal.reason as Error));
    void first.then(() => {
      unlink();
      resolve();
    });
  });
}
