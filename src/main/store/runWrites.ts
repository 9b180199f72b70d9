// What the engine hands the run store to write: a new run, a new node, a node's change, a call's
// usage, a run's end. Apart from runRepository.ts so that its transactions (runTransactions.ts) can
// name them without importing the store that imports them.
import type { LlmPurpose, NodeKind, NodePayload, NodeRow, NodeStatus } from '../../shared/domain/node';
import type { ForkOrigin, InputDescription, RunOrigin, RunStatus, StopReason } from '../../shared/domain/run';
import type { RunSignal } from '../../shared/domain/signals';
import type { RunLimits } from '../../shared/limits';

export interface NewRun {
  runId: string;
  createdAt: number;
  query: string;
  rootModel: string;
  subModel: string;
  baseUrl: string;
  limits: RunLimits;
  seed: number;
  ownerPid: number;
  ownerHost: string;
  /** A fork: the run it re-runs from the recording of, and the node of it that was edited. */
  forkedFrom?: ForkOrigin;
  /** Repeated sub-calls are answered from the first answer (RunDetail.dedupeSubcalls); absent: false. */
  dedupeSubcalls?: boolean;
  /** The size of the parts a too-large input is split in (RunDetail.partBytes); absent: LEGACY_PART_BYTES. */
  partBytes?: number;
}

export interface NewNode {
  /** Per run, from 1, in creation order: a parent always has a smaller id than its children. */
  id: number;
  parentId: number | null;
  kind: NodeKind;
  depth: number;
  seq: number;
  startedAt: number;
  label: string;
  model?: string | null;
  purpose?: LlmPurpose | null;
  status?: NodeStatus;
  /** A fork's model call answered from its parent's recording (NodeRow.cached); absent: false. */
  cached?: boolean;
}

export interface NodePatch {
  status?: NodeStatus;
  endedAt?: number | null;
  label?: string;
  model?: string | null;
}

export interface CallUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  /** null when the model has no known price. */
  costUsd: number | null;
  estimated: boolean;
}

export interface RunEnd {
  status: RunStatus;
  endedAt: number;
  answer: string | null;
  stopReason: StopReason | null;
  error: string | null;
  /** The run-away signals that hold at the end (absent: leave the last ones written). */
  signals?: RunSignal[];
}

/**
 * A whole run written at once (RunRepository.insertWholeRun): an imported log, a portable run
 * file. Its nodes come with their own usage; the store rolls the subtree totals and the run's
 * totals up from them (subtreeRollUp.ts), so they always agree with the tree.
 */
export interface WholeRun {
  runId: string;
  origin: RunOrigin;
  /** The file the run came from (its name, no folder); null for a native run. */
  source: string | null;
  /** The recording's version (shared/domain/recording.ts); absent: 0, a run not recorded by this engine (an imported log). */
  recording?: number;
  /** A fork's parent and edited node; absent or null: not a fork. */
  forkedFrom?: ForkOrigin | null;
  /** A fork's calls answered from its parent's recording (RunSummary.cachedCalls); absent: 0. */
  cachedCalls?: number;
  /** The run-away signals it ended with (a portable run file); absent: none recorded. */
  signals?: RunSignal[];
  createdAt: number;
  endedAt: number | null;
  /** A run written whole has ended: never 'running' or 'paused'. */
  status: Exclude<RunStatus, 'running' | 'paused'>;
  query: string;
  rootModel: string;
  subModel: string;
  baseUrl: string;
  limits: RunLimits;
  /** The run answered repeated sub-calls from the first answer (RunDetail.dedupeSubcalls); absent: false. */
  dedupeSubcalls?: boolean;
  seed: number;
  answer: string | null;
  stopReason: StopReason | null;
  error: string | null;
  /** Model turns over all RLMs of the run (RunTotals.iterations). */
  iterations: number;
  maxDepthReached: number;
  /** Documents already in the DocumentStore (by hash), in order. */
  inputs?: InputDescription[];
  /** In id order: ids from 1, unique, each parent before its children. */
  nodes: WholeRunNode[];
}

/**
 * A node as written whole: its row without the roll-ups (computed on insert, subtreeRollUp.ts)
 * and its payload. Its own usage: token counts null on a node that is no model call, or, marked
 * estimated, on a call whose usage is unknown (domain/node.ts countsAsCall); a null cost is
 * unknown, never 0.
 */
export type WholeRunNode = Omit<NodeRow, 'subtree'> & { payload: NodePayload };
