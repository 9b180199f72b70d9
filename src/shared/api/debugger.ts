// The `debugger` slice of the RlmApi (issue 12): two runs compared step by step. Replay, fork and
// time travel join it later.
import { z } from 'zod';
import type { RunComparison } from '../domain/comparison';
import type { LlmPurpose, NodeKind } from '../domain/node';
import type { RunSummary } from '../domain/run';
import { modelNameSchema, runIdSchema, runLimitsSchema } from '../schemas';

export const compareRunsSchema = z.strictObject({ a: runIdSchema, b: runIdSchema });

export const replayRunSchema = z.strictObject({ runId: runIdSchema });

/** The most characters of an edited reply or cell code a fork takes (a model's reply is capped lower: replyParser.ts). */
export const FORK_EDIT_MAX_CHARS = 4 * 1024 * 1024;

/**
 * A fork: the run re-run from the start with its recording as a cache (DESIGN §11). With `at`,
 * the edit replaces that node's reply (an `llm` node) or code (a `cell`); without, it re-runs
 * with other settings only. Settings left out are the parent's.
 */
export const forkRunSchema = z
  .strictObject({
    runId: runIdSchema,
    at: z.number().int().min(0).optional(),
    edit: z.strictObject({ kind: z.enum(['reply', 'code']), text: z.string().max(FORK_EDIT_MAX_CHARS) }).optional(),
    rootModel: modelNameSchema.optional(),
    subModel: modelNameSchema.optional(),
    limits: runLimitsSchema.partial().optional(),
    /** Answer a repeated sub-call from the first answer (after the recording); absent: as the parent did. */
    dedupeSubcalls: z.boolean().optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  })
  .refine((params) => (params.at === undefined) === (params.edit === undefined), { message: 'an edit needs the node it changes (at), and a node needs its edit', path: ['edit'] });

export const debuggerMethods = {
  'runs.compare': compareRunsSchema,
  'runs.replay': replayRunSchema,
  'runs.fork': forkRunSchema,
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
  /**
   * Starts the fork as a new run (its events as any run's) and returns at once. NOT_FOUND for an
   * unknown run or node; INVALID_INPUT for an imported run, one recorded before exact replay, a
   * node that is neither a model call nor a cell, or an edit of the wrong kind for it;
   * RUN_ACTIVE for a run still going.
   */
  'runs.fork': { runId: string; warnings: string[] };
}
