// Node rows for the run view's tests: a row with defaults, and the shapes that stress the tree
// (a wide fan-out, a deep chain). Imported by tests only.
import type { NodeRow } from '../../shared/domain/node';
import type { RunDetail } from '../../shared/domain/run';
import { emptySubtree } from '../../shared/domain/node';
import { emptyTotals } from '../../shared/domain/run';
import { DEFAULT_LIMITS } from '../../shared/limits';

export function node(id: number, parentId: number | null, seq = 0, patch: Partial<NodeRow> = {}): NodeRow {
  return {
    id,
    parentId,
    kind: parentId === null ? 'rlm' : 'llm',
    depth: 0,
    seq,
    status: 'completed',
    startedAt: 1000,
    endedAt: 2000,
    label: `node ${id}`,
    model: null,
    purpose: null,
    inputTokens: null,
    outputTokens: null,
    cachedTokens: null,
    costUsd: null,
    usageEstimated: false,
    subtree: emptySubtree(),
    ...patch,
  };
}

/** A root with `n` children (ids 2..n+1). */
export function fan(n: number): NodeRow[] {
  const nodes = [node(1, null)];
  for (let i = 0; i < n; i++) nodes.push(node(i + 2, 1, i));
  return nodes;
}

/** A chain: node k is the only child of node k-1. */
export function chain(n: number): NodeRow[] {
  const nodes: NodeRow[] = [];
  for (let i = 1; i <= n; i++) nodes.push(node(i, i === 1 ? null : i - 1, 0));
  return nodes;
}

export function runDetail(patch: Partial<RunDetail> = {}): RunDetail {
  return {
    ...emptyTotals(),
    runId: 'run-1',
    status: 'running',
    answer: null,
    stopReason: null,
    error: null,
    query: 'What is in the log?',
    rootModel: 'root-model',
    subModel: 'sub-model',
    createdAt: 1000,
    endedAt: null,
    durationMs: null,
    limits: { ...DEFAULT_LIMITS },
    baseUrl: 'http://127.0.0.1:1/v1',
    inputs: [],
    seed: 0,
    ...patch,
  };
}
