// The `debugger` slice of the RlmApi (issue 12): two runs compared step by step. Replay, fork and
// time travel join it later.
import { z } from 'zod';
import type { RunComparison } from '../domain/comparison';
import type { LlmPurpose, NodeKind } from '../domain/node';
import type { RunSummary } from '../domain/run';
import { runIdSchema } from '../schemas';

export const compareRunsSchema = z.strictObject({ a: runIdSchema, b: runIdSchema });

export const replayRunSchema = z.strictObject({ runId: runIdSchema });

export const debuggerMethods = {
  'runs.compare': compareRunsSchema,
  'runs.replay': replayRunSchema,
} as const;

/** One cell of a replay whose output, error or host calls differ from the recording. */
export interface ReplayDivergence {
  nodeId: number;
  /** The recorded output or error, or the host call the recording has. */
  expected: string;
  /** What the replay produced instead. */
  actual: string;
}

/** What `rlmscope replay --json` prints. */
export interface ReplayResult {
  runId: string;
  /** Cells re-executed. */
  cells: number;
  /** Cells whose output and error matched the recording byte for byte. */
  reproduced: number;
  diverged: ReplayDivergence[];
  /** Always 0: a replay never asks a model. */
  modelCalls: 0;
}

/** Events of this slice, pushed to subscribers of the run. */
export interface DebuggerEvents {
  /** A replay of the run (`runs.replay`) finished another cell. */
  'run.replayProgressed': { done: number; total: number };
}

/** What the page draws for one pair: its kind, its place, and each side's line in the tree (null where the side has no such step). */
export interface ComparisonStep {
  kind: NodeKind;
  purpose: LlmPurpose | null;
  /** Distance from the root in the aligned tree. */
  level: number;
  /** Position among its parent's children of the same kind, from 1: turn 2, cell 3. */
  ordinal: number;
  /** The index in `pairs` of the pair it is under; null for a root. */
  parent: number | null;
  labels: { a: string | null; b: string | null };
}

export interface DebuggerResults {
  /**
   * `comparison`: what `rlmscope diff --json` prints; `steps[i]` describes `comparison.pairs[i]`.
   * Payloads are read as usual with `nodes.get`. NOT_FOUND names an unknown run.
   */
  'runs.compare': { comparison: RunComparison; runs: { a: RunSummary; b: RunSummary }; steps: ComparisonStep[] };
  /**
   * Every cell re-executed from the recording, no model asked (DESIGN §11); progress as
   * `run.replayProgressed`; cancellable. INVALID_INPUT for an imported run or one recorded
   * before exact replay, RUN_ACTIVE for a run still going or already being replayed.
   */
  'runs.replay': ReplayResult;
}
