// The node index of a run in its compact form: one JSON array of arrays, as the store builds it.
// The service passes the store's bytes through untouched: SQLite writes the JSON as a blob
// (store/nodeIndexSql.ts), browser mode sends it as one binary WebSocket frame (wsProtocol.ts) or
// an HTTP body (indexPageHttp.ts), so it is never a string in the service, never escaped into a
// JSON message, and the page parses it once.
// Measured for a 98,000-node page (CPU ms, Node 20): SQLite's JSON 295; as a string in a JSON
// message, the service's stringify 101 and the page's parse of the message 27 besides its
// parse of the index (227), all gone as bytes. Columns instead of tuples (typed arrays, labels
// as one list) were weighed and measured: the page's decode fell to 117, but SQLite took 388 to
// write one list per column and the service 166 to pack them, on the path that decides.
//
// tuples-2 (issue 13): a finished run's index comes from stored chunks, so the bytes themselves
// became the cost of opening a 100,000-node run (Chromium carried 16 MB at ~57 MB/s over
// loopback, 28 ms a page against 17 ms to decode it). Against tuples-1 (158 bytes a node on the
// bench's run, every field as the row has it) a node is ~86 bytes:
// - kind, status and purpose are small numbers; usageEstimated and cached one number of flags;
// - startedAt counts from the run's start and endedAt from startedAt (times that are whole
//   milliseconds; any other is written whole, as [value]);
// - the run's root and sub model are 0 and 1 (IndexBase.models), any other model its name;
// - a model call's subtree totals, being its own call's, are left out.
import type { LlmPurpose, NodeKind, NodeRow, NodeStatus } from './domain/node';

export const NODE_INDEX_ENCODING = 'tuples-2';

/** What a page's numbers count from: its run's, the same for every page of a run. */
export interface IndexBase {
  /** The run's start (runs.created_at): a whole-millisecond startedAt counts from it. */
  time: number;
  /** Models 0 and 1 in a tuple: the run's root and sub model (null when not coded). */
  models: readonly [root: string | null, sub: string | null];
}

/** `runs.nodeIndex`: `bytes` is a JSON array of IndexTuple in UTF-8, in creation order. */
export interface NodeIndex {
  encoding: typeof NODE_INDEX_ENCODING;
  bytes: Uint8Array;
  base: IndexBase;
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

/** A time written whole: not a whole number of milliseconds, or too large to count from a base. */
type WholeTime = [value: number];

/**
 * A node in the index. 16 items for a node whose subtree is its own model call (subtree =
 * {pricedCostUsd: costUsd ?? 0, unpricedCalls: costUsd === null ? 1 : 0, inputTokens,
 * outputTokens, modelCalls: 1}); 21 with the subtree's five totals.
 */
export type IndexTuple = [
  id: number,
  parentId: number | null,
  /** KIND_CODES */
  kind: number,
  depth: number,
  seq: number,
  /** STATUS_CODES */
  status: number,
  /** Milliseconds after IndexBase.time, or WholeTime. */
  startedAt: number | WholeTime,
  /** Milliseconds after startedAt, or WholeTime; null while running. */
  endedAt: number | WholeTime | null,
  label: string,
  /** 0 or 1: IndexBase.models; or the model's name. */
  model: 0 | 1 | string | null,
  /** PURPOSE_CODES */
  purpose: number | null,
  inputTokens: number | null,
  outputTokens: number | null,
  cachedTokens: number | null,
  costUsd: number | null,
  /** 1: usageEstimated; 2: cached. */
  flags: number,
  ...subtree: [pricedCostUsd: number, unpricedCalls: number, inputTokens: number, outputTokens: number, modelCalls: number] | [],
];

/** The codes of kind, status and purpose: a code is its position. The store writes the same (nodeIndexSql.ts). */
export const KIND_CODES: readonly NodeKind[] = ['rlm', 'llm', 'cell'];
export const STATUS_CODES: readonly NodeStatus[] = ['running', 'completed', 'failed', 'stopped', 'interrupted'];
export const PURPOSE_CODES: readonly LlmPurpose[] = ['turn', 'sub'];

/**
 * The largest time counted from a base: sums and differences of whole numbers this size stay
 * exact as JavaScript numbers. The store checks the same bound.
 */
export const MAX_COUNTED_TIME = 2 ** 52;

// The shared code compiles without DOM or Node typings, and both have these two globals.
interface Utf8Codecs {
  TextEncoder: new () => { encode(text: string): Uint8Array };
  TextDecoder: new (label: 'utf-8', options: { fatal: boolean }) => { decode(bytes: Uint8Array): string };
}
const codecs = globalThis as unknown as Utf8Codecs;

function countable(time: number): boolean {
  return Number.isInteger(time) && Math.abs(time) <= MAX_COUNTED_TIME;
}

function isOwnCall(node: NodeRow): boolean {
  const s = node.subtree;
  return (
    node.inputTokens !== null && node.outputTokens !== null && s.modelCalls === 1 && s.unpricedCalls === (node.costUsd === null ? 1 : 0) &&
    s.pricedCostUsd === (node.costUsd ?? 0) && s.inputTokens === node.inputTokens && s.outputTokens === node.outputTokens
  );
}

/** A node as the store's SQL writes it (tests, and any side that holds rows rather than the store's bytes). */
export function toIndexTuple(node: NodeRow, base: IndexBase): IndexTuple {
  const start = countable(node.startedAt) && countable(base.time) ? node.startedAt - base.time : [node.startedAt] as WholeTime;
  const end = node.endedAt === null ? null : countable(node.endedAt) && countable(node.startedAt) ? node.endedAt - node.startedAt : [node.endedAt] as WholeTime;
  const model = node.model === null ? null : node.model === base.models[0] ? 0 : node.model === base.models[1] ? 1 : node.model;
  const s = node.subtree;
  return [
    node.id, node.parentId, KIND_CODES.indexOf(node.kind), node.depth, node.seq, STATUS_CODES.indexOf(node.status), start, end, node.label,
    model, node.purpose === null ? null : PURPOSE_CODES.indexOf(node.purpose), node.inputTokens, node.outputTokens, node.cachedTokens,
    node.costUsd, (node.usageEstimated ? 1 : 0) + (node.cached === true ? 2 : 0),
    ...(isOwnCall(node) ? [] : [s.pricedCostUsd, s.unpricedCalls, s.inputTokens, s.outputTokens, s.modelCalls] as const),
  ] as IndexTuple;
}

/** A complete index of these rows (tests, and any side that holds rows rather than the store's bytes). */
export function encodeNodeIndex(
  nodes: readonly NodeRow[],
  page: Partial<Pick<NodeIndex, 'complete' | 'total' | 'base'>> = {},
): NodeIndex {
  const base = page.base ?? { time: nodes[0]?.startedAt ?? 0, models: [null, null] };
  return {
    encoding: NODE_INDEX_ENCODING,
    bytes: new codecs.TextEncoder().encode(JSON.stringify(nodes.map((node) => toIndexTuple(node, base)))),
    base,
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

function isNodeId(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** A call's token count or cost: a number, or null where it is not known. */
function isFigure(value: unknown): value is number | null {
  return value === null || typeof value === 'number';
}

function isModelName(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

/** A base as the envelope carries it, or a message naming what is wrong. */
export function checkIndexBase(base: unknown): string | null {
  const b = base as IndexBase | null | undefined;
  if (typeof b?.time !== 'number' || !Number.isFinite(b.time)) return 'the node index has no time base';
  if (!Array.isArray(b.models) || b.models.length !== 2 || !b.models.every(isModelName)) return 'the node index has no model base';
  return null;
}

/** A code's value, or undefined for anything that is not one of its positions. */
function coded<T>(codes: readonly T[], code: unknown): T | undefined {
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code < codes.length ? codes[code] : undefined;
}

/** A time of the index: counted from `from`, or written whole; NaN when it is neither. */
function timeOf(value: unknown, from: number): number {
  if (typeof value === 'number') return from + value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'number') return value[0];
  return Number.NaN;
}

function damaged(i: number): Error {
  return new Error(`node ${i} of the index is damaged`);
}

/** The rows of an index; throws a plain Error naming the problem when it is not one. */
export function decodeNodeIndex(index: Pick<NodeIndex, 'encoding' | 'bytes' | 'base'>): NodeRow[] {
  if (index?.encoding !== NODE_INDEX_ENCODING || !(index.bytes instanceof Uint8Array)) {
    throw new Error(`the node index has an unknown encoding (${String(index?.encoding).slice(0, 40)})`);
  }
  const baseProblem = checkIndexBase(index.base);
  if (baseProblem !== null) throw new Error(baseProblem);
  const { time, models } = index.base;
  let tuples: unknown;
  try {
    // Not fatal: the store holds a lone surrogate (a label cut inside an emoji) as bytes that are
    // not UTF-8, which getNodes reads as U+FFFD, as this decoder does; a foreign blob is still
    // refused by JSON.parse and the checks below.
    tuples = JSON.parse(new codecs.TextDecoder('utf-8', { fatal: false }).decode(index.bytes));
  } catch {
    throw new Error(`the node index (${index.bytes.byteLength} bytes) is not UTF-8 JSON`);
  }
  if (!Array.isArray(tuples)) throw new Error('the node index is not a list');
  const rows = new Array<NodeRow>(tuples.length);
  for (let i = 0; i < tuples.length; i++) {
    const t = tuples[i] as unknown[];
    // What places a row in the tree and draws it; a damaged one is refused, never drawn oddly.
    if (!Array.isArray(t) || (t.length !== 16 && t.length !== 21)) throw damaged(i);
    const [id, parentId, kindCode, depth, seq, statusCode, start, end, label, modelCode, purposeCode, inputTokens, outputTokens, cachedTokens, costUsd, flags] = t;
    const kind = coded(KIND_CODES, kindCode);
    const status = coded(STATUS_CODES, statusCode);
    const purpose = purposeCode === null ? null : coded(PURPOSE_CODES, purposeCode);
    const startedAt = timeOf(start, time);
    const endedAt = end === null ? null : timeOf(end, startedAt);
    const model = modelCode === 0 || modelCode === 1 ? models[modelCode] : modelCode;
    if (
      !isNodeId(id) || (parentId !== null && !isNodeId(parentId)) || kind === undefined || typeof depth !== 'number' || typeof seq !== 'number' ||
      status === undefined || purpose === undefined || Number.isNaN(startedAt) || Number.isNaN(endedAt) || typeof label !== 'string' ||
      !isModelName(model) || typeof flags !== 'number' || !isFigure(inputTokens) || !isFigure(outputTokens) || !isFigure(cachedTokens) ||
      !isFigure(costUsd)
    ) {
      throw damaged(i);
    }
    const cost = costUsd as number | null;
    let subtree: NodeRow['subtree'];
    if (t.length === 16) {
      // A node whose subtree is its own call: that call's figures, which it then must have.
      if (typeof inputTokens !== 'number' || typeof outputTokens !== 'number') throw damaged(i);
      subtree = { pricedCostUsd: cost ?? 0, unpricedCalls: cost === null ? 1 : 0, inputTokens, outputTokens, modelCalls: 1 };
    } else {
      const [pricedCostUsd, unpricedCalls, subInput, subOutput, modelCalls] = t.slice(16) as number[];
      if (![pricedCostUsd, unpricedCalls, subInput, subOutput, modelCalls].every((total) => typeof total === 'number')) throw damaged(i);
      subtree = { pricedCostUsd: pricedCostUsd!, unpricedCalls: unpricedCalls!, inputTokens: subInput!, outputTokens: subOutput!, modelCalls: modelCalls! };
    }
    rows[i] = {
      id: id as number,
      parentId: parentId as number | null,
      kind,
      depth,
      seq,
      status,
      startedAt,
      endedAt,
      label,
      model,
      purpose,
      inputTokens: inputTokens as number | null,
      outputTokens: outputTokens as number | null,
      cachedTokens: cachedTokens as number | null,
      costUsd: cost,
      usageEstimated: (flags & 1) !== 0,
      cached: (flags & 2) !== 0,
      subtree,
    };
  }
  return rows;
}
