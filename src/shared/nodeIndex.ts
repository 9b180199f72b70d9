// The node index of a run in its compact form: one JSON array of arrays, as the store builds it.
// A 100,000-node run is about 17 MB this way against 41 MB as objects (every key repeated), and
// the service passes the store's text through untouched, so opening a large run costs one parse
// in the page instead of a parse and a stringify in the service and a larger parse in the page.
import type { LlmPurpose, NodeKind, NodeRow, NodeStatus } from './domain/node';

export const NODE_INDEX_ENCODING = 'tuples-1';

/** `runs.nodeIndex`: `json` is a JSON array of NodeTuple, in creation order. */
export interface NodeIndex {
  encoding: typeof NODE_INDEX_ENCODING;
  json: string;
  /** The id of the last node in `json`, where the next page starts; null when it is empty. */
  lastId: number | null;
  /** Whether this page reaches the end of the run's nodes (as they were when it was read). */
  complete: boolean;
  /** The run's nodes in all, when the page was read. */
  total: number;
}

/**
 * A node row as an array, in the order of the store's NODE_COLUMNS. Arrays, not objects: the
 * store reads a whole run as one JSON array of these, built inside SQLite, and RETURNING
 * statements read them in better-sqlite3's raw mode, so one mapping serves both.
 */
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
  /** 1: a fork's call answered from its parent's recording (NodeRow.cached). Last, so older readers' indexes stay in place. */
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

export function fromNodeRow(node: NodeRow): NodeTuple {
  const s = node.subtree;
  return [
    node.id, node.parentId, node.kind, node.depth, node.seq, node.status, node.startedAt, node.endedAt, node.label,
    node.model, node.purpose, node.inputTokens, node.outputTokens, node.cachedTokens, node.costUsd,
    node.usageEstimated ? 1 : 0, s.pricedCostUsd, s.unpricedCalls, s.inputTokens, s.outputTokens, s.modelCalls,
    node.cached === true ? 1 : 0,
  ];
}

/** A complete index of these rows (tests, and any side that holds rows rather than the store's text). */
export function encodeNodeIndex(nodes: readonly NodeRow[], page: Partial<Pick<NodeIndex, 'complete' | 'total'>> = {}): NodeIndex {
  return {
    encoding: NODE_INDEX_ENCODING,
    json: JSON.stringify(nodes.map(fromNodeRow)),
    lastId: nodes.at(-1)?.id ?? null,
    complete: page.complete ?? true,
    total: page.total ?? nodes.length,
  };
}

/** The rows of an index; throws a plain Error naming the problem when it is not one. */
export function decodeNodeIndex(index: Pick<NodeIndex, 'encoding' | 'json'>): NodeRow[] {
  if (index?.encoding !== NODE_INDEX_ENCODING || typeof index.json !== 'string') {
    throw new Error(`the node index has an unknown encoding (${String(index?.encoding)})`);
  }
  const tuples: unknown = JSON.parse(index.json);
  if (!Array.isArray(tuples)) throw new Error('the node index is not a list');
  const rows = new Array<NodeRow>(tuples.length);
  for (let i = 0; i < tuples.length; i++) {
    const tuple = tuples[i] as unknown;
    // 21: a tuple without `cached` (before issue 12) reads as a call that was not cached.
    if (!Array.isArray(tuple) || tuple.length < 21 || typeof tuple[0] !== 'number') throw new Error(`node ${i} of the index is damaged`);
    rows[i] = toNodeRow(tuple as NodeTuple);
  }
  return rows;
}
