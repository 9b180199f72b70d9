// A node as the store reads it back: one array per row, in the columns' order. The RETURNING
// statements read it in better-sqlite3's raw mode and `getNodes` as one JSON array built inside
// SQLite, so one mapping serves both. (The page's index has its own, smaller form:
// shared/nodeIndex.ts.)
import type { LlmPurpose, NodeKind, NodeRow, NodeStatus } from '../../shared/domain/node';

/** A node row as an array, in the order of NODE_COLUMNS. */
export type NodeTuple = [
  id: number,
  parentId: number | null,
  kind: NodeKind,
  depth: number,
  seq: number,
  status: NodeStatus,
  startedAt: number,
  endedAt: number | null,
  label: string,
  model: string | null,
  purpose: LlmPurpose | null,
  inputTokens: number | null,
  outputTokens: number | null,
  cachedTokens: number | null,
  costUsd: number | null,
  usageEstimated: number,
  subPricedCostUsd: number,
  subUnpricedCalls: number,
  subInputTokens: number,
  subOutputTokens: number,
  subModelCalls: number,
  /** 1: a call answered without a request (NodeRow.cached): migration 006's column, last. */
  cached: number,
];

export function toNodeRow(row: NodeTuple): NodeRow {
  const [
    id, parentId, kind, depth, seq, status, startedAt, endedAt, label, model, purpose,
    inputTokens, outputTokens, cachedTokens, costUsd, usageEstimated,
    pricedCostUsd, unpricedCalls, subInputTokens, subOutputTokens, modelCalls, cached,
  ] = row;
  return {
    id,
    parentId,
    kind,
    depth,
    seq,
    status,
    startedAt,
    endedAt,
    label,
    model,
    purpose,
    inputTokens,
    outputTokens,
    cachedTokens,
    costUsd,
    usageEstimated: usageEstimated !== 0,
    cached: cached === 1,
    subtree: { pricedCostUsd, unpricedCalls, inputTokens: subInputTokens, outputTokens: subOutputTokens, modelCalls },
  };
}

/**
 * The columns of NodeTuple, in its order (run_id is known to the caller), as a nodes table has
 * them: `has.cached` says it has migration 6's column. A database read at an older schema (opened
 * read-only, see runPreviewColumns) has no cached call: `0 AS cached` keeps the tuple whole.
 */
export function nodeColumns(has: { cached: boolean }): string {
  return `id, parent_id, kind, depth, seq, status, started_at, ended_at, label, model, purpose,
  input_tokens, output_tokens, cached_tokens, cost_usd, usage_estimated,
  sub_priced_cost_usd, sub_unpriced_calls, sub_input_tokens, sub_output_tokens, sub_model_calls,
  ${has.cached ? 'cached' : '0 AS cached'}`;
}

/**
 * The columns of a database the store opened for writing (always migrated to the latest schema);
 * also NodeTuple's names, to read them from a subquery that selected nodeColumns.
 */
export const NODE_COLUMNS = nodeColumns({ cached: true });
