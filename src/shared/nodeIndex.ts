// The node index of a run in its compact form: one JSON array of arrays, as the store builds it.
// A 100,000-node run is about 16 MB this way against 41 MB as objects (every key repeated), and
// the service passes the store's bytes through untouched: SQLite writes the JSON as a blob, and
// browser mode sends it as one binary WebSocket frame (wsProtocol.ts), so it is never a string
// in the service, never escaped into a JSON message, and the page parses it once.
// Measured for a 98,000-node page (CPU ms, Node 20): SQLite's JSON 295; as a string in a JSON
// message, the service's stringify 101 and the page's parse of the message 27 besides its
// parse of the index (227), all gone as bytes. Columns instead of tuples (typed arrays, labels
// as one list) were weighed and measured: the page's decode fell to 117, but SQLite took 388 to
// write one list per column and the service 166 to pack them, on the path that decides.
import type { LlmPurpose, NodeKind, NodeRow, NodeStatus } from './domain/node';

export const NODE_INDEX_ENCODING = 'tuples-1';

/** `runs.nodeIndex`: `bytes` is a JSON array of NodeTuple in UTF-8, in creation order. */
export interface NodeIndex {
  encoding: typeof NODE_INDEX_ENCODING;
  bytes: Uint8Array;
  /** The id of the last node in `bytes`, where the next page starts; null when it is empty. */
  lastId: number | null;
  /** Whether this page reaches the end of the run's nodes (as they were when it was read). */
  complete: boolean;
  /**
   * The run's nodes in all, when the page was read; null on a page after the first (counting a
   * run's nodes reads all of them, and a page after the first is asked for as the first arrives).
   */
  total: number | null;
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

// The shared code compiles without DOM or Node typings, and both have these two globals.
interface Utf8Codecs {
  TextEncoder: new () => { encode(text: string): Uint8Array };
  TextDecoder: new (label: 'utf-8', options: { fatal: boolean }) => { decode(bytes: Uint8Array): string };
}
const codecs = globalThis as unknown as Utf8Codecs;

/** A complete index of these rows (tests, and any side that holds rows rather than the store's bytes). */
export function encodeNodeIndex(nodes: readonly NodeRow[], page: Partial<Pick<NodeIndex, 'complete' | 'total'>> = {}): NodeIndex {
  return {
    encoding: NODE_INDEX_ENCODING,
    bytes: new codecs.TextEncoder().encode(JSON.stringify(nodes.map(fromNodeRow))),
    lastId: nodes.at(-1)?.id ?? null,
    complete: page.complete ?? true,
    total: page.total === undefined ? nodes.length : page.total,
  };
}

/**
 * The bytes as a Uint8Array of their own: a Node Buffer may be a view into a larger pool, all of
 * which a structured clone (IPC) would copy to the page.
 */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  const whole = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength;
  return whole ? new Uint8Array(bytes.buffer) : new Uint8Array(bytes);
}

const KINDS: ReadonlySet<unknown> = new Set<NodeKind>(['rlm', 'llm', 'cell']);
const STATUSES: ReadonlySet<unknown> = new Set<NodeStatus>(['running', 'completed', 'failed', 'stopped', 'interrupted']);

function isNodeId(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** The rows of an index; throws a plain Error naming the problem when it is not one. */
export function decodeNodeIndex(index: Pick<NodeIndex, 'encoding' | 'bytes'>): NodeRow[] {
  if (index?.encoding !== NODE_INDEX_ENCODING || !(index.bytes instanceof Uint8Array)) {
    throw new Error(`the node index has an unknown encoding (${String(index?.encoding).slice(0, 40)})`);
  }
  let tuples: unknown;
  try {
    tuples = JSON.parse(new codecs.TextDecoder('utf-8', { fatal: true }).decode(index.bytes));
  } catch {
    throw new Error(`the node index (${index.bytes.byteLength} bytes) is not UTF-8 JSON`);
  }
  if (!Array.isArray(tuples)) throw new Error('the node index is not a list');
  const rows = new Array<NodeRow>(tuples.length);
  for (let i = 0; i < tuples.length; i++) {
    const tuple = tuples[i] as unknown;
    // 21: a tuple without `cached` (before issue 12) reads as a call that was not cached.
    // What places a row in the tree and draws it; a damaged one is refused, never drawn oddly.
    if (
      !Array.isArray(tuple) || tuple.length < 21 || !isNodeId(tuple[0]) || (tuple[1] !== null && !isNodeId(tuple[1])) || !KINDS.has(tuple[2]) ||
      typeof tuple[3] !== 'number' || typeof tuple[4] !== 'number' || !STATUSES.has(tuple[5]) || typeof tuple[6] !== 'number' || typeof tuple[8] !== 'string'
    ) {
      throw new Error(`node ${i} of the index is damaged`);
    }
    rows[i] = toNodeRow(tuple as NodeTuple);
  }
  return rows;
}
