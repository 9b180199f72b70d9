// The recursion tree outside React: an index of the run's nodes and the flat, pre-ordered list of
// visible rows the virtualised tree draws. Everything is iterative (a chain 10,000 deep must not
// overflow the stack) and free of DOM and I/O.
//
// The index is mutable on purpose: a live run adds hundreds of nodes a second to a tree of up to
// 100,000, and copying maps of that size per event (or per frame) would cost more than drawing.
// Only the run store mutates it, once per animation frame, and bumps a version number that tells
// React to re-read it.
import type { NodeRow } from '../../shared/domain/node';

/**
 * Finished nodes with more children than this start collapsed when a run is opened: a run with
 * one sub-call per line then opens as an overview of turns and cells, and one key (or "Expand
 * all") shows the calls. Virtualisation would draw them all cheaply; the point is reading, not
 * speed. A node still running stays open, and so does one that grows past the limit while the
 * reader watches: rows never vanish from under them, and follow mode shows the newest calls.
 */
export const COLLAPSE_ABOVE = 500;

export interface TreeIndex {
  readonly nodes: Map<number, NodeRow>;
  /** Child ids in display order: by `seq`, then by id. */
  readonly children: Map<number, number[]>;
  /** Top-level ids: the root RLM, plus nodes whose parent has not arrived (shown, not lost). */
  readonly roots: number[];
  /** Parent id → ids of children that arrived before it; they move under it when it comes. */
  readonly waiting: Map<number, number[]>;
  readonly collapsed: Set<number>;
  /** Per node, bumped when its payload may have changed (see `payloadMayHaveChanged`). */
  readonly payloadRev: Map<number, number>;
  /** The last node created (the greatest id): what follow mode keeps in view. */
  newestId: number | null;
}

export interface VisibleRows {
  /** Node ids of the visible rows, in pre-order. */
  readonly ids: number[];
  /** Tree level of each row (0 for a root); not `NodeRow.depth`, which counts RLM recursion. */
  readonly levels: number[];
  /** Row index of each visible id. */
  readonly index: RowIndex;
}

/** Row index by node id: a Map, or at an earlier step a search over the rows (timeTravel.ts). */
export interface RowIndex {
  get(id: number): number | undefined;
  has(id: number): boolean;
}

export function createTree(): TreeIndex {
  return { nodes: new Map(), children: new Map(), roots: [], waiting: new Map(), collapsed: new Set(), payloadRev: new Map(), newestId: null };
}

/** The index of a run loaded in one piece (`runs.nodes`, in creation order or not). */
export function buildTree(nodes: readonly NodeRow[]): TreeIndex {
  const builder = createTreeBuilder();
  addToTree(builder, nodes);
  return finishTree(builder);
}

/**
 * A tree being built from the pages of a run's index as they arrive: each page is linked in
 * while the next one is on its way, and `finishTree` does what needs them all.
 */
export interface TreeBuilder {
  readonly tree: TreeIndex;
  /** Nodes whose parent had not arrived when they did (a run's index is in creation order: rare). */
  readonly early: NodeRow[];
}

export function createTreeBuilder(): TreeBuilder {
  return { tree: createTree(), early: [] };
}

export function addToTree(builder: TreeBuilder, nodes: readonly NodeRow[]): void {
  const tree = builder.tree;
  for (const node of nodes) tree.nodes.set(node.id, node);
  for (const node of nodes) {
    const parent = node.parentId;
    if (parent === null) tree.roots.push(node.id);
    else if (tree.nodes.has(parent)) pushTo(tree.children, parent, node.id);
    else builder.early.push(node);
    if (tree.newestId === null || node.id > tree.newestId) tree.newestId = node.id;
  }
}

/** Links the nodes that came before their parents, sorts the children, collapses the large. */
export function finishTree(builder: TreeBuilder): TreeIndex {
  const tree = builder.tree;
  for (const node of builder.early.splice(0)) {
    const parent = node.parentId as number;
    if (tree.nodes.has(parent)) pushTo(tree.children, parent, node.id);
    else {
      // Shown at the top level, not lost; it moves under its parent if that comes.
      tree.roots.push(node.id);
      pushTo(tree.waiting, parent, node.id);
    }
  }
  const bySeq = compareBySeq(tree.nodes);
  for (const [id, list] of tree.children) {
    if (!isSorted(list, bySeq)) list.sort(bySeq);
    if (list.length > COLLAPSE_ABOVE && tree.nodes.get(id)?.status !== 'running') tree.collapsed.add(id);
  }
  if (!isSorted(tree.roots, bySeq)) tree.roots.sort(bySeq);
  return tree;
}

export type UpsertResult = 'added' | 'updated' | 'stale';

/**
 * Adds a node or replaces it: a `nodeAdded` for a node already loaded is an update, and a
 * `nodeUpdated` for an unknown one is an add (events buffered while the run loaded overlap the
 * snapshot). An older version of a node than the one held is ignored (`isStale`).
 */
export function upsertNode(tree: TreeIndex, node: NodeRow): UpsertResult {
  const old = tree.nodes.get(node.id);
  if (old) {
    if (isStale(old, node)) return 'stale';
    tree.nodes.set(node.id, node);
    if (payloadMayHaveChanged(old, node)) tree.payloadRev.set(node.id, (tree.payloadRev.get(node.id) ?? 0) + 1);
    return 'updated';
  }
  tree.nodes.set(node.id, node);
  const bySeq = compareBySeq(tree.nodes);
  const parent = node.parentId;
  if (parent !== null && tree.nodes.has(parent)) insertSorted(getOrCreate(tree.children, parent), node.id, bySeq);
  else {
    insertSorted(tree.roots, node.id, bySeq);
    if (parent !== null) pushTo(tree.waiting, parent, node.id);
  }
  adoptWaiting(tree, node.id, bySeq);
  if (tree.newestId === null || node.id > tree.newestId) tree.newestId = node.id;
  return 'added';
}

/** Children that arrived before `id` leave the top level and go under it. */
function adoptWaiting(tree: TreeIndex, id: number, bySeq: (a: number, b: number) => number): void {
  const orphans = tree.waiting.get(id);
  if (!orphans) return;
  tree.waiting.delete(id);
  const moving = new Set(orphans);
  const kept = tree.roots.filter((root) => !moving.has(root));
  tree.roots.length = 0;
  tree.roots.push(...kept);
  const list = getOrCreate(tree.children, id);
  for (const child of orphans) insertSorted(list, child, bySeq);
}

/**
 * Whether `incoming` is an older picture of the node than `held`. Events buffered while a run
 * loads may predate the snapshot: a node never goes back to running once it ended, and its
 * subtree's roll-ups only grow.
 */
export function isStale(held: NodeRow, incoming: NodeRow): boolean {
  if (held.status !== 'running' && incoming.status === 'running') return true;
  const a = held.subtree;
  const b = incoming.subtree;
  return b.modelCalls < a.modelCalls || b.inputTokens + b.outputTokens < a.inputTokens + a.outputTokens;
}

/**
 * Whether a node's payload may differ after this update, so an open detail pane refetches it.
 * Updates that only roll a descendant's cost up into the subtree totals (an ancestor of every
 * finished sub-call gets one) leave the payload alone; an update that changes nothing in the row
 * at all is a payload-only change (a note appended to a cell).
 */
export function payloadMayHaveChanged(old: NodeRow, next: NodeRow): boolean {
  const ownChanged =
    old.status !== next.status ||
    old.endedAt !== next.endedAt ||
    old.label !== next.label ||
    old.model !== next.model ||
    old.inputTokens !== next.inputTokens ||
    old.outputTokens !== next.outputTokens ||
    old.costUsd !== next.costUsd;
  if (ownChanged) return true;
  const s = old.subtree;
  const t = next.subtree;
  const rolledUp = s.modelCalls !== t.modelCalls || s.inputTokens !== t.inputTokens || s.outputTokens !== t.outputTokens || s.pricedCostUsd !== t.pricedCostUsd || s.unpricedCalls !== t.unpricedCalls;
  return !rolledUp;
}

export function childrenOf(tree: TreeIndex, id: number): readonly number[] {
  return tree.children.get(id) ?? EMPTY;
}

export function isExpanded(tree: TreeIndex, id: number): boolean {
  return !tree.collapsed.has(id) && childrenOf(tree, id).length > 0;
}

/** Collapses or expands a node; returns whether the visible rows changed. */
export function setExpanded(tree: TreeIndex, id: number, expanded: boolean): boolean {
  if (childrenOf(tree, id).length === 0) return false;
  if (expanded === !tree.collapsed.has(id)) return false;
  if (expanded) tree.collapsed.delete(id);
  else tree.collapsed.add(id);
  return true;
}

/**
 * Expands every node, or collapses every node below the top level (the root's own turns and
 * cells stay in view: an overview). Returns whether anything changed.
 */
export function setAllExpanded(tree: TreeIndex, expanded: boolean): boolean {
  const before = tree.collapsed.size;
  tree.collapsed.clear();
  if (expanded) return before > 0;
  const top = new Set(tree.roots);
  for (const [id, kids] of tree.children) if (kids.length > 0 && !top.has(id)) tree.collapsed.add(id);
  return true;
}

/** The visible rows: a pre-order walk that skips what collapsed nodes hide. O(visible rows). */
export function flatten(tree: TreeIndex): VisibleRows {
  const ids: number[] = [];
  const levels: number[] = [];
  const index = new Map<number, number>();
  // Two parallel stacks instead of one of objects: 100,000 rows without 100,000 allocations.
  const stackIds: number[] = [];
  const stackLevels: number[] = [];
  for (let i = tree.roots.length - 1; i >= 0; i--) {
    stackIds.push(tree.roots[i] as number);
    stackLevels.push(0);
  }
  while (stackIds.length > 0) {
    const id = stackIds.pop() as number;
    const level = stackLevels.pop() as number;
    index.set(id, ids.length);
    ids.push(id);
    levels.push(level);
    if (tree.collapsed.has(id)) continue;
    const kids = tree.children.get(id);
    if (!kids) continue;
    for (let i = kids.length - 1; i >= 0; i--) {
      stackIds.push(kids[i] as number);
      stackLevels.push(level + 1);
    }
  }
  return { ids, levels, index };
}

/**
 * Appends a just-added node to the rows when it is the new last row (the common case in a live
 * run: the newest call of the newest cell), so a live add costs O(depth) instead of a new walk.
 * Returns false when the rows must be rebuilt with `flatten`. The node must not have children
 * yet (a node adopting early children changes more than the end of the list).
 */
export function tryAppendRow(tree: TreeIndex, rows: VisibleRows, id: number): boolean {
  // Rows at an earlier step are rebuilt, never appended to (their index is no Map).
  if (!(rows.index instanceof Map) || rows.index.has(id) || tree.children.has(id)) return false;
  let level = 0;
  let current = id;
  for (;;) {
    const node = tree.nodes.get(current);
    if (!node) return false;
    const parent = node.parentId;
    if (parent === null || !tree.nodes.has(parent)) {
      if (tree.roots[tree.roots.length - 1] !== current) return false;
      break;
    }
    const siblings = childrenOf(tree, parent);
    if (siblings[siblings.length - 1] !== current || tree.collapsed.has(parent)) return false;
    level++;
    current = parent;
  }
  (rows.index as Map<number, number>).set(id, rows.ids.length);
  rows.ids.push(id);
  rows.levels.push(level);
  return true;
}

/** The row that stands for `id`: its own, or that of its nearest visible ancestor. */
export function visibleRowOf(tree: TreeIndex, rows: VisibleRows, id: number): number | null {
  let current: number | null = id;
  // Bounded by the node count: a damaged parent cycle cannot loop forever.
  for (let steps = 0; current !== null && steps <= tree.nodes.size; steps++) {
    const row = rows.index.get(current);
    if (row !== undefined) return row;
    current = tree.nodes.get(current)?.parentId ?? null;
  }
  return null;
}

/** Expands every ancestor of `id` so that its row is visible; returns whether any changed. */
export function revealNode(tree: TreeIndex, id: number): boolean {
  let changed = false;
  let parent = tree.nodes.get(id)?.parentId ?? null;
  for (let steps = 0; parent !== null && steps <= tree.nodes.size; steps++) {
    if (tree.collapsed.delete(parent)) changed = true;
    parent = tree.nodes.get(parent)?.parentId ?? null;
  }
  return changed;
}

/** Position among siblings and their number, for `aria-posinset` / `aria-setsize`. */
export function siblingPosition(tree: TreeIndex, id: number): { posinset: number; setsize: number } {
  const node = tree.nodes.get(id);
  const parent = node?.parentId ?? null;
  const list = parent !== null && tree.nodes.has(parent) ? childrenOf(tree, parent) : tree.roots;
  const at = node ? lowerBound(list, node, tree.nodes) : -1;
  return { posinset: at >= 0 && list[at] === id ? at + 1 : list.indexOf(id) + 1, setsize: list.length };
}

/** The last node (in creation order) with this status, e.g. where a failed run failed. */
export function lastNodeWithStatus(tree: TreeIndex, status: NodeRow['status']): number | null {
  let found: number | null = null;
  for (const node of tree.nodes.values()) if (node.status === status && (found === null || node.id > found)) found = node.id;
  return found;
}

const EMPTY: readonly number[] = Object.freeze([]);

function compareBySeq(nodes: Map<number, NodeRow>): (a: number, b: number) => number {
  return (a, b) => {
    const x = nodes.get(a);
    const y = nodes.get(b);
    return (x?.seq ?? 0) - (y?.seq ?? 0) || a - b;
  };
}

function isSorted(list: readonly number[], compare: (a: number, b: number) => number): boolean {
  for (let i = 1; i < list.length; i++) if (compare(list[i - 1] as number, list[i] as number) > 0) return false;
  return true;
}

/** Appends when in order (nodes come in creation order), else a binary search and a splice. */
function insertSorted(list: number[], id: number, compare: (a: number, b: number) => number): void {
  const last = list[list.length - 1];
  if (last === undefined || compare(last, id) <= 0) {
    list.push(id);
    return;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(list[mid] as number, id) <= 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, id);
}

function lowerBound(list: readonly number[], node: NodeRow, nodes: Map<number, NodeRow>): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const other = nodes.get(list[mid] as number);
    const before = other !== undefined && (other.seq - node.seq || other.id - node.id) < 0;
    if (before) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function getOrCreate(map: Map<number, number[]>, key: number): number[] {
  let list = map.get(key);
  if (!list) {
    list = [];
    map.set(key, list);
  }
  return list;
}

function pushTo(map: Map<number, number[]>, key: number, value: number): void {
  getOrCreate(map, key).push(value);
}
