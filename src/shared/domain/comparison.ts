// Comparing two runs (issue 12, "Compare two runs"): what `rlmscope diff --json` prints and the
// page's comparison shows. Plain data only.

/**
 * Which value of a step differs: a turn's or sub-call's reply (`text`) or failure (`error`), a
 * cell's `code`, `output` or `error`, an RLM's `query` (a child's is what its parent's code passed
 * it) or, only when no step differs, its `answer`; `node`: the step exists in one run only.
 */
export type ComparedField = 'text' | 'code' | 'output' | 'error' | 'query' | 'answer' | 'node';

/** Two aligned nodes, or one with nothing across from it (null). */
export interface NodePair {
  a: number | null;
  b: number | null;
  /** Both present, and the values compared for their kind are equal. */
  same: boolean;
}

export interface Divergence {
  a: number | null;
  b: number | null;
  field: ComparedField;
}

/** b minus a. costUsd is null when either run has a call of unknown price; durationMs when either has not ended. */
export interface RunDelta {
  costUsd: number | null;
  inputTokens: number;
  outputTokens: number;
  modelCalls: number;
  durationMs: number | null;
}

export interface RunComparison {
  a: string;
  b: string;
  /** The earliest step, in the order the runs executed, that differs; null when the runs are the same. */
  firstDivergence: Divergence | null;
  /** Every node of both runs, aligned, in tree order. */
  pairs: NodePair[];
  delta: RunDelta;
}
