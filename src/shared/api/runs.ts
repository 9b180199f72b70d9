// The `runs` slice of the RlmApi: start a run, list and read runs, steer a live one (stop, pause,
// resume, step), delete a finished one; and the events a run pushes while it goes.
import { z } from 'zod';
import type { NodeRow } from '../domain/node';
import type { RunSignal } from '../domain/signals';
import type { RunDetail, RunStatus, RunSummary, RunTotals, StopReason } from '../domain/run';
import { modelNameSchema, runIdSchema, runInputSchema, runLimitsSchema } from '../schemas';
import { RUN_VALUE_FIELDS, VALUE_PAGE_CHARS_MAX } from '../valuePreview';

export const startRunSchema = z.object({
  query: z.string().trim().min(1, 'the query is empty').max(200_000),
  inputs: z.array(runInputSchema).max(100_000).default([]),
  rootModel: modelNameSchema.optional(),
  subModel: modelNameSchema.optional(),
  limits: runLimitsSchema.partial().optional(),
  /** Answer a repeated (model, prompt) sub-call from the first answer, at no cost; absent: the saved default (off). */
  dedupeSubcalls: z.boolean().optional(),
  /** Seed for the sandboxes' Math.random; random when absent. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
});

export const listRunsSchema = z
  .object({
    limit: z.number().int().min(1).max(10_000).default(200),
    offset: z.number().int().min(0).default(0),
    search: z.string().max(1000).optional(),
  })
  .default({ limit: 200, offset: 0 });

export const runRefSchema = z.object({ runId: runIdSchema });

/** A page of a run's query, answer or error, which lists and events carry only as previews (issue 9). */
export const readValueSchema = z.strictObject({
  runId: runIdSchema,
  field: z.enum(RUN_VALUE_FIELDS),
  offset: z.number().int().min(0).default(0),
  length: z.number().int().min(1).max(VALUE_PAGE_CHARS_MAX).default(VALUE_PAGE_CHARS_MAX),
});

/** One RLM of a live run: the user stops it alone (not the root), or sends it a note (issue 13). */
export const rlmRefSchema = z.strictObject({ runId: runIdSchema, nodeId: z.number().int().min(1) });

/** A note's most characters: a steer for the model, not a document (those are the run's inputs). */
export const RLM_NOTE_CHARS_MAX = 20_000;

export const noteRlmSchema = z.strictObject({
  runId: runIdSchema,
  nodeId: z.number().int().min(1),
  text: z.string().trim().min(1, 'the note is empty').max(RLM_NOTE_CHARS_MAX, `a note is at most ${RLM_NOTE_CHARS_MAX.toLocaleString('en-US')} characters`),
});

export const runsMethods = {
  'runs.start': startRunSchema,
  'runs.list': listRunsSchema,
  'runs.get': runRefSchema,
  'runs.readValue': readValueSchema,
  'runs.stop': runRefSchema,
  'runs.pause': runRefSchema,
  'runs.resume': runRefSchema,
  'runs.step': runRefSchema,
  'runs.delete': runRefSchema,
  'runs.stopRlm': rlmRefSchema,
  'runs.noteRlm': noteRlmSchema,
} as const;

export interface RunsResults {
  /** `warnings`: inputs that were skipped (binary files in a folder). */
  'runs.start': { runId: string; warnings: string[] };
  'runs.list': RunSummary[];
  'runs.get': RunDetail;
  /**
   * A page of a run's whole query, answer or error (runs.list, runs.get and events carry
   * previews; `answerChars` says how long the value is): `offset` and `totalChars` in characters.
   */
  'runs.readValue': { text: string; offset: number; totalChars: number };
  'runs.stop': { status: RunStatus };
  'runs.pause': { status: RunStatus };
  'runs.resume': { status: RunStatus };
  /** Resume for one step (one model turn or one cell of any RLM), then pause again. */
  'runs.step': { status: RunStatus };
  /** Removes a finished run with its nodes and payloads (and documents no other run uses). */
  'runs.delete': { deleted: true };
  /**
   * Stops one child RLM and its subtree while the rest of the run goes on; resolves once its node
   * has ended (`stopped`, reason `user`). Its parent's `rlm_query` returns an error string.
   */
  'runs.stopRlm': { stopped: true };
  /**
   * Queues a note for one running RLM: a user message at its next model turn (a paused run's
   * next one). A note it never reads (it ended first) is said on its node as not delivered.
   */
  'runs.noteRlm': { queued: true };
}

/** Events pushed to subscribers of a run. */
export interface RunsEvents {
  'run.started': { summary: RunSummary };
  'run.nodeAdded': { node: NodeRow };
  'run.nodeUpdated': { node: NodeRow };
  /** A piece of a model reply as it streams in. */
  /** `reset`: the text streamed so far for this node is void (the call is being retried). */
  'run.replyStreamed': { nodeId: number; delta: string; reset?: boolean };
  'run.totalsChanged': { totals: RunTotals };
  'run.limitReached': { reason: StopReason; message: string };
  /**
   * A large input file is being read before the first step: `checking` (its bytes checked and
   * hashed) then `storing` (kept in the database by content, skipped when it is there already).
   * Sent for files of INPUT_PROGRESS_MIN_BYTES or more, about every tenth of the file.
   */
  'run.inputProgress': { name: string; phase: 'checking' | 'storing'; doneBytes: number; totalBytes: number };
  'run.statusChanged': { status: RunStatus };
  /** The run-away signals that hold now, whole (a small set: at most one per cell, RLM or kind). */
  'run.signalsChanged': { signals: RunSignal[] };
  'run.finished': { summary: RunSummary };
}

/** Events of this slice that belong to no run (delivered to subscribers of every run). */
export interface RunListEvents {
  /** The list of runs changed in a way no run event tells (a run was deleted). */
  'app.runsChanged': Record<never, never>;
}
