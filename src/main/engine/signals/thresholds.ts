// Where each run-away signal starts: the thresholds, with the reason for each.
import type { ForecastThresholds } from './spendForecast';
import { BUDGET_HORIZON_S, BUDGET_MIN_SPAN_MS, BUDGET_MIN_TURNS, BUDGET_WINDOW_MS } from './spendForecast';

/** One cell past this many sub-calls fans out too far, whatever the others do (the paper's one call per line). */
export const EXPLOSION_SUBCALLS = 500;
/** ...or past this many times the median of the run's other cells that made sub-calls... */
export const EXPLOSION_RATIO = 10;
/** ...when it made more than this many (a batch over 40 chunks is normal work)... */
export const EXPLOSION_MIN_SUBCALLS = 50;
/** ...and at least this many other cells made sub-calls (a median of one or two says little). */
export const EXPLOSION_MIN_PEERS = 3;
/** Child RLMs over the whole run past this many: children that keep spawning. */
export const EXPLOSION_CHILD_RLMS = 50;
/**
 * The same code (or output) this many turns in a row, the first included: the second repeat. The
 * run-away guard (runawayGuard.ts) warns the model at 3 and stops the run at 4, so the signal is
 * there before the run is stopped.
 */
export const REPETITION_TURNS = 3;
/** Sub-calls after a value that looked like an answer before it counts as set aside (re-checking once or twice is fair). */
export const DISCARDED_AFTER_SUBCALLS = 3;
/** Distinct prompts remembered: past this, new prompts are not tracked (a number each: about 50 bytes with its map entry). */
export const MAX_PROMPT_KEYS = 500_000;

export interface SignalThresholds extends ForecastThresholds {
  explosionSubCalls: number;
  explosionRatio: number;
  explosionMinSubCalls: number;
  explosionMinPeers: number;
  explosionChildRlms: number;
  repetitionTurns: number;
  discardedAfterSubCalls: number;
  maxPromptKeys: number;
}

export const DEFAULT_THRESHOLDS: SignalThresholds = {
  explosionSubCalls: EXPLOSION_SUBCALLS,
  explosionRatio: EXPLOSION_RATIO,
  explosionMinSubCalls: EXPLOSION_MIN_SUBCALLS,
  explosionMinPeers: EXPLOSION_MIN_PEERS,
  explosionChildRlms: EXPLOSION_CHILD_RLMS,
  repetitionTurns: REPETITION_TURNS,
  discardedAfterSubCalls: DISCARDED_AFTER_SUBCALLS,
  budgetWindowMs: BUDGET_WINDOW_MS,
  budgetMinSpanMs: BUDGET_MIN_SPAN_MS,
  budgetHorizonS: BUDGET_HORIZON_S,
  budgetMinTurns: BUDGET_MIN_TURNS,
  maxPromptKeys: MAX_PROMPT_KEYS,
};
