// What the engine hands the run store to write: a new run, a new node, a node's change, a call's
// usage, a run's end. Apart from runRepository.ts so that its transactions (runTransactions.ts) can
// name them without importing the store that imports them.
import type { LlmPurpose, NodeKind, NodeStatus } from '../../shared/domain/node';
import type { RunStatus, StopReason } from '../../shared/domain/run';
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
}
