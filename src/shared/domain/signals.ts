// Run-away signals (issue 13): wasteful patterns seen while a run goes on, each saying what it saw
// and what it has cost so far. `RunSignal` is what `show --json` prints on a run; the detector
// (main/engine/runawaySignals.ts) keeps a little more, `seen`, to say it with numbers. Plain data only.

export type RunSignalKind = 'duplicate-subcalls' | 'subcall-explosion' | 'repetition' | 'answer-discarded' | 'budget-forecast';

export interface RunSignal {
  kind: RunSignalKind;
  /** The node the flag belongs on (a cell); null for the run as a whole. */
  nodeId: number | null;
  /** One or two sentences: what was seen, and what it cost. */
  message: string;
  /** USD spent on the pattern so far; null when unknown (a call without a price, or none finished yet). */
  costUsd: number | null;
}

/** What the detector counted, by kind. */
export type SignalSeen =
  | {
      kind: 'duplicate-subcalls';
      /** Sub-calls whose (model, prompt) had been sent before in the run. */
      copies: number;
      /** Distinct (model, prompt) pairs sent more than once. */
      repeatedPrompts: number;
      /** The most times one pair was sent. */
      mostSends: number;
      /** Copies still in flight: their cost is not known yet. */
      copiesRunning: number;
      /** Finished copies without a known price. */
      unpricedCopies: number;
      /** Copies answered without a request (`--dedupe-subcalls`, or a fork's recording): no cost. */
      cachedCopies: number;
      /** USD of the finished copies with a price: what `--dedupe-subcalls` would have saved. */
      copiesCostUsd: number;
    }
  | {
      kind: 'subcall-explosion';
      /** `subcalls`: one cell's sub-calls; `child-rlms`: child RLMs over the whole run. */
      what: 'subcalls' | 'child-rlms';
      count: number;
      /** The threshold it passed (for `subcalls` relative to the others: ratio × their median). */
      threshold: number;
      /** The median sub-calls of the run's other cells that made any; null when not compared. */
      medianOfOthers: number | null;
    }
  | {
      kind: 'repetition';
      rlmId: number;
      what: 'code' | 'output';
      /** Turns in a row with the same code (or output), the first one included. */
      turns: number;
    }
  | {
      kind: 'answer-discarded';
      rlmId: number;
      /** The value that looked like an answer, cut to a preview. */
      candidate: string;
      /** Sub-calls the RLM made after it. */
      subCallsSince: number;
      /** How the RLM ended, once it has: with another answer, or without one. */
      ended: 'running' | 'other-answer' | 'no-answer' | 'stopped';
    }
  | {
      kind: 'budget-forecast';
      limit: 'cost' | 'tokens';
      /** Seconds until the limit at the recent rate; null when only the iteration forecast holds. */
      secondsLeft: number | null;
      /** Root turns until the limit at its spend per turn, when that comes before the iteration limit. */
      turnsLeft: number | null;
    };

/** A signal as the detector holds it: `id` is stable while the signal changes (one per cell, RLM or run). */
export interface DetectedSignal extends RunSignal {
  id: string;
  seen: SignalSeen;
}

/** What one event did to a signal. A withdrawn signal no longer holds (the answer was returned; the run stopped running). */
export interface SignalChange {
  change: 'new' | 'changed' | 'withdrawn';
  signal: DetectedSignal;
}

/** The part `show --json` prints. */
export function toRunSignal(signal: DetectedSignal): RunSignal {
  return { kind: signal.kind, nodeId: signal.nodeId, message: signal.message, costUsd: signal.costUsd };
}
