// Runs: their status, totals, summary and detail, and why one ended.
// Plain data only: everything here crosses IPC, WebSocket and JSON unchanged.
import type { RunLimits } from '../limits';
import type { RunSignal } from './signals';

export type RunStatus = 'running' | 'paused' | 'completed' | 'stopped' | 'failed' | 'interrupted';

/**
 * The parts of a too-large input file before issue 13 recorded their size: the most one string
 * holds, so the sandbox read 512 MiB at a time and held that much beside the text.
 */
export const LEGACY_PART_BYTES = 2 ** 29 - 24;

/**
 * The parts of new runs (issue 13): 128 MiB. The sandbox holds the whole text and one part's
 * bytes while it reads, so for a 1 GiB input its peak went from 1.6 GB (512 MiB parts) to 1.26 GB;
 * 64 MiB parts saved 60 MB more but doubled the parts the model has to go through, 256 MiB cost
 * 130 MB more (bench/runMemory.ts).
 */
export const PART_BYTES = 2 ** 27;

/** The smallest part size a run may name (a store row or a portable file): a part of a few bytes would make a 1 GB input millions of strings. */
export const MIN_PART_BYTES = 2 ** 20;

export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['running', 'paused'];

/** Why a run (or one RLM in it) ended without — or before — its own answer. */
export type StopReason =
  | 'user'
  | 'max-iterations'
  | 'max-calls'
  | 'max-tokens'
  | 'max-cost'
  | 'max-seconds'
  | 'runaway'
  | 'no-answer'
  | 'error';

/** Recorded here, or imported from a file (a log of the reference library, a portable run file). */
export type RunOrigin = 'native' | 'imported';

export interface RunTotals {
  /** USD of the whole run, or null when some call had no known price (see `unpricedCalls`). */
  costUsd: number | null;
  /** USD of the calls whose price is known. */
  pricedCostUsd: number;
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  modelCalls: number;
  /** Model turns over all RLMs of the run. */
  iterations: number;
  maxDepthReached: number;
}

/** One row of the runs list; also the `--json` output of `rlmscope run`. */
export interface RunSummary extends RunTotals {
  runId: string;
  status: RunStatus;
  answer: string | null;
  stopReason: StopReason | null;
  error: string | null;
  query: string;
  rootModel: string;
  subModel: string;
  createdAt: number;
  endedAt: number | null;
  durationMs: number | null;
  /** An imported run is shown as such and never re-executed. Set by the store; absent only in summaries built by hand. */
  origin?: RunOrigin;
  /** The name of the file an imported run came from; null for a native run. */
  source?: string | null;
  /**
   * The true length, in characters, of query, answer and error: those fields are previews
   * (src/shared/valuePreview.ts) and a longer value is read whole with `runs.readValue`.
   * Set by the store; absent only in summaries built by hand.
   */
  queryChars?: number;
  answerChars?: number | null;
  errorChars?: number | null;
  /**
   * A fork (issue 12): the run it re-ran with its recording as a cache, and the node whose reply
   * or code it changed (null: re-run with other settings and no edit). null for any other run.
   * Set by the store; absent only in summaries built by hand.
   */
  forkedFrom?: ForkOrigin | null;
  /**
   * A fork's calls answered from its parent's recording: no request, no cost. The totals above
   * (cost, tokens, modelCalls) count live calls only. Set by the store.
   */
  cachedCalls?: number;
  /**
   * The run-away signals that hold now (issue 13, domain/signals.ts): for a run going on, as of
   * its last event; for an ended one, as it ended. Set by the store; absent only in summaries built by hand.
   */
  signals?: RunSignal[];
}

/** Where a fork comes from: the parent run, and the node of the parent it edited (null: no edit). */
export interface ForkOrigin {
  runId: string;
  nodeId: number | null;
}

export interface InputDescription {
  name: string;
  bytes: number;
  hash: string;
}

export interface RunDetail extends RunSummary {
  limits: RunLimits;
  /**
   * A repeated (model, prompt) sub-call was answered from the first answer, at no cost and with
   * no request (--dedupe-subcalls, issue 13); such nodes are cached with NodePayload.dedupeOf.
   * Set by the store; absent only in details built by hand (then false).
   */
  dedupeSubcalls?: boolean;
  baseUrl: string;
  inputs: InputDescription[];
  /** The run's seed, from which each sandbox's Math.random seed derives: what a replay or a portable export needs. */
  seed: number;
  /**
   * The size in bytes of the parts an input file too large for one string was given to the
   * model's code in (`context` is then an array of them): a replay or a fork splits it the same.
   * Set by the store: LEGACY_PART_BYTES for a run recorded before the size was (issue 13).
   */
  partBytes?: number;
  /** The version of its recording (domain/recording.ts: 0 before exact replay). Absent only in details built by hand. */
  recording?: number;
  /** Its recording lets it be re-executed exactly (replay, fork); `replayableWhy` says why not, in one line. */
  replayable?: boolean;
  replayableWhy?: string | null;
}

export function emptyTotals(): RunTotals {
  return {
    costUsd: 0,
    pricedCostUsd: 0,
    unpricedCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    modelCalls: 0,
    iterations: 0,
    maxDepthReached: 0,
  };
}
