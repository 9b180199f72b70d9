// Comparing two runs step by step (issue 12, "Compare two runs"): the two trees aligned by
// structure, the values of every aligned pair compared, and the first divergence named. Pure:
// payload values reach it only as equality keys from `readKeys`, which the store adapter
// (runDiff.ts) answers from the database in batches, and only for nodes aligned on both sides.
// Iterative throughout: a chain of 100,000 nested nodes must not overflow the stack.
import type { NodeRow } from '../../shared/domain/node';
import type { ComparedField, Divergence, NodePair, RunComparison, RunDelta } from '../../shared/domain/comparison';

export type Side = 'a' | 'b';
/**
 * `prose`: a reply's text outside its runnable code (keyed only for replies with a fence);
 * `codeEdit`: present on a fork's reply rewritten by an edit of a cell's code.
 */
export type PayloadField = 'text' | 'code' | 'output' | 'error' | 'query' | 'answer' | 'prompt' | 'prose' | 'codeEdit';
/** Equality keys of a node's payload values: two keys are equal exactly when the values are; absent when the value is. */
export type FieldKeys = Partial<Record<PayloadField, string>>;
/** The keys of the given nodes of one run (at most KEY_BATCH of them); a node it does not return has none. */
export type ReadKeys = (side: Side, ids: readonly number[]) => ReadonlyMap<number, FieldKeys>;

/** Nodes per read: one statement per batch, not per node, and never a whole run's payloads at once. */
export const KEY_BATCH = 500;

export interface ComparedRun {
  run: { runId: string; costUsd: number | null; inputTokens: number; outputTokens: number; modelCalls: number; durationMs: number | null };
  /** The run's node index (RunReader.getNodes), in any order. */
  nodes: readonly NodeRow[];
}

/** Where a node sits under its parent; nodes are aligned only with nodes of the same slot. */
type Slot = 'turn' | 'sub' | 'cell' | 'rlm';

interface PairNode {
  a: NodeRow | null;
  b: NodeRow | null;
  slot: Slot;
  children: PairNode[];
  parent: PairNode | null;
  /** When a walk of the aligned tree enters the pair and when it leaves it, after its children: breaks ties in time. */
  enter: number;
  exit: number;
}

interface Tree {
  /** By node id: ids are the store's, dense from 1 (an array is several times faster than a Map at 100,000 nodes). */
  children: (NodeRow[] | undefined)[];
  roots: NodeRow[];
  /** When the run started: times are compared as offsets from it, the two runs' clocks being unrelated. */
  t0: number;
}

/** The values compared per slot. A turn's prompt is not: it holds the earlier cells' outputs, compared on their own. */
const COMPARED: Record<Slot, PayloadField[]> = {
  turn: ['text', 'error'],
  sub: ['text', 'error'],
  cell: ['code', 'output', 'error'],
  rlm: ['query', 'answer', 'error'],
};

/**
 * When a value came to be, for ordering divergences the way the runs executed: a call's reply
 * and a cell's code are fixed when they start (the reply depends only on the request), a cell's
 * output and error when it ends — after the sub-calls and children it waited for, so a cell
 * whose output changed because a sub-call's answer did is never named before that sub-call.
 * An RLM's answer and error are consequences of its steps: named only when no step differs.
 */
const WHEN: Record<Exclude<PayloadField, 'prompt' | 'prose' | 'codeEdit'>, { at: 'start' | 'end'; step: boolean }> = {
  text: { at: 'start', step: true },
  code: { at: 'start', step: true },
  query: { at: 'start', step: true },
  output: { at: 'end', step: true },
  error: { at: 'end', step: true },
  answer: { at: 'end', step: false },
};

export function compareRuns(a: ComparedRun, b: ComparedRun, readKeys: ReadKeys): RunComparison {
  const trees = { a: treeOf(a.nodes), b: treeOf(b.nodes) };
  const keys: KeyMaps = { a: [], b: [] };
  const load = (side: Side, ids: number[]) => {
    for (let i = 0; i < ids.length; i += KEY_BATCH) {
      const batch = ids.slice(i, i + KEY_BATCH);
      const read = readKeys(side, batch);
      for (const id of batch) keys[side][id] = read.get(id) ?? NO_KEYS;
    }
  };

  const roots = alignGroup(trees.a.roots, trees.b.roots, keys, null);
  // Level by level, so that the prompts of every sub-call at one level are read in batches
  // before the cells holding them are aligned (sub-calls are aligned by prompt).
  let pending = roots;
  while (pending.length > 0) {
    const need: Record<Side, number[]> = { a: [], b: [] };
    for (const pair of pending) {
      if (!pair.a || !pair.b) continue;
      for (const side of SIDES) {
        for (const child of childrenOf(trees[side], pair[side])) if (slotOf(child) === 'sub' && !keys[side][child.id]) need[side].push(child.id);
      }
    }
    load('a', need.a);
    load('b', need.b);
    const next: PairNode[] = [];
    for (const pair of pending) {
      const ka = childrenOf(trees.a, pair.a);
      const kb = childrenOf(trees.b, pair.b);
      pair.children = pair.slot === 'rlm' ? alignSegments(ka, kb, keys, pair) : alignGroup(ka, kb, keys, pair);
      for (const child of pair.children) if (childrenOf(trees.a, child.a).length + childrenOf(trees.b, child.b).length > 0) next.push(child);
    }
    pending = next;
  }

  const order = eulerOrder(roots);
  const need: Record<Side, number[]> = { a: [], b: [] };
  for (const pair of order) {
    if (!pair.a || !pair.b) continue;
    if (!keys.a[pair.a.id]) need.a.push(pair.a.id);
    if (!keys.b[pair.b.id]) need.b.push(pair.b.id);
  }
  load('a', need.a);
  load('b', need.b);

  const pairs: NodePair[] = [];
  let firstStep: Candidate | null = null;
  let firstOther: Candidate | null = null;
  const offer = (candidate: Candidate, step: boolean) => {
    if (step) firstStep = earlier(firstStep, candidate);
    else firstOther = earlier(firstOther, candidate);
  };
  for (const pair of order) {
    const { parent, enter, exit } = pair;
    if (!pair.a || !pair.b) {
      const ids = { a: pair.a?.id ?? null, b: pair.b?.id ?? null };
      pairs.push({ ...ids, same: false });
      // Only the top of a one-sided subtree: what is under it is one-sided because it is.
      if (!parent || (parent.a && parent.b)) {
        const node = (pair.a ?? pair.b) as NodeRow;
        offer({ ...ids, field: 'node', time: node.startedAt - trees[pair.a ? 'a' : 'b'].t0, euler: enter }, true);
      }
      continue;
    }
    const ids = { a: pair.a.id, b: pair.b.id };
    const ka = keys.a[pair.a.id] ?? NO_KEYS;
    const kb = keys.b[pair.b.id] ?? NO_KEYS;
    let same = true;
    for (const field of COMPARED[pair.slot]) {
      if (ka[field] === kb[field]) continue;
      same = false;
      // A fork's reply rewritten by a code edit, the same outside that code: the edited cell names
      // the difference (as its code), the branch point, not the reply that holds it.
      if (pair.slot === 'turn' && field === 'text' && (ka.codeEdit ?? kb.codeEdit) !== undefined && ka.prose !== undefined && ka.prose === kb.prose) continue;
      const when = WHEN[field as keyof typeof WHEN];
      // An RLM's error is its end, like its answer; a call's error is its reply's.
      const at = pair.slot === 'turn' || pair.slot === 'sub' ? 'start' : when.at;
      const time = Math.min(timeOf(pair.a, at, trees.a.t0), timeOf(pair.b, at, trees.b.t0));
      offer({ ...ids, field: field as ComparedField, time, euler: at === 'start' ? enter : exit }, pair.slot === 'rlm' ? field === 'query' : when.step);
    }
    pairs.push({ a: ids.a, b: ids.b, same });
  }

  const first = (firstStep ?? firstOther) as Candidate | null;
  return {
    a: a.run.runId,
    b: b.run.runId,
    firstDivergence: first ? { a: first.a, b: first.b, field: first.field } : null,
    pairs,
    delta: deltaOf(a.run, b.run),
  };
}

interface Candidate extends Divergence {
  /** Milliseconds from its run's start, the earlier of the two sides. */
  time: number;
  /** Position in a walk of the aligned tree that enters a node before its children and leaves it after them: breaks ties in time. */
  euler: number;
}

/**
 * Either side's time bounds the pair's: a step caused by an earlier divergence started after the
 * cause in each run, so after the earlier of the cause's two times.
 */
function earlier(best: Candidate | null, candidate: Candidate): Candidate {
  if (!best) return candidate;
  return candidate.time < best.time || (candidate.time === best.time && candidate.euler < best.euler) ? candidate : best;
}

function timeOf(node: NodeRow, at: 'start' | 'end', t0: number): number {
  return (at === 'end' ? (node.endedAt ?? node.startedAt) : node.startedAt) - t0;
}

function deltaOf(a: ComparedRun['run'], b: ComparedRun['run']): RunDelta {
  return {
    // An unknown price is unknown, never 0.
    costUsd: a.costUsd === null || b.costUsd === null ? null : b.costUsd - a.costUsd,
    inputTokens: b.inputTokens - a.inputTokens,
    outputTokens: b.outputTokens - a.outputTokens,
    modelCalls: b.modelCalls - a.modelCalls,
    durationMs: a.durationMs === null || b.durationMs === null ? null : b.durationMs - a.durationMs,
  };
}

function treeOf(nodes: readonly NodeRow[]): Tree {
  const present: boolean[] = [];
  for (const node of nodes) present[node.id] = true;
  const children: (NodeRow[] | undefined)[] = [];
  const roots: NodeRow[] = [];
  for (const node of nodes) {
    // A node whose parent is missing (a damaged database) is compared as a root, not lost.
    if (node.parentId === null || !present[node.parentId]) roots.push(node);
    else {
      const list = children[node.parentId];
      if (list) list.push(node);
      else children[node.parentId] = [node];
    }
  }
  const bySeq = (x: NodeRow, y: NodeRow) => x.seq - y.seq || x.id - y.id;
  for (const list of children) if (list && list.length > 1) list.sort(bySeq);
  roots.sort(bySeq);
  const t0 = roots.reduce((min, root) => Math.min(min, root.startedAt), roots[0]?.startedAt ?? 0);
  return { children, roots, t0 };
}

const NONE: readonly NodeRow[] = [];

function childrenOf(tree: Tree, node: NodeRow | null): readonly NodeRow[] {
  return node ? (tree.children[node.id] ?? NONE) : NONE;
}

function slotOf(node: NodeRow): Slot {
  if (node.kind === 'llm') return node.purpose === 'sub' ? 'sub' : 'turn';
  return node.kind;
}

/**
 * An RLM's children: each turn with the cells its reply held. The i-th turn is aligned with the
 * i-th, and its cells with the other turn's cells in order, so one extra cell after turn 1 does
 * not shift every later step by one.
 */
function alignSegments(xs: readonly NodeRow[], ys: readonly NodeRow[], keys: KeyMaps, parent: PairNode): PairNode[] {
  const sx = segments(xs);
  const sy = segments(ys);
  const out: PairNode[] = [];
  for (let i = 0; i < Math.max(sx.length, sy.length); i++) {
    // A loop, not push(...): spreading 100,000 arguments overflows the stack.
    for (const pair of alignGroup(sx[i] ?? NONE, sy[i] ?? NONE, keys, parent)) out.push(pair);
  }
  return out;
}

/** Segment 0 holds what comes before the first turn (usually nothing); each turn starts the next. */
function segments(nodes: readonly NodeRow[]): NodeRow[][] {
  const out: NodeRow[][] = [[]];
  for (const node of nodes) {
    if (slotOf(node) === 'turn') out.push([node]);
    else (out[out.length - 1] as NodeRow[]).push(node);
  }
  return out;
}

/** By node id, as Tree.children. */
type KeyMaps = Record<Side, (FieldKeys | undefined)[]>;
const NO_KEYS: FieldKeys = {};
const SIDES = ['a', 'b'] as const;

function pairOf(a: NodeRow | null, b: NodeRow | null, parent: PairNode | null): PairNode {
  return { a, b, slot: slotOf((a ?? b) as NodeRow), children: [], parent, enter: -1, exit: -1 };
}

/**
 * Siblings aligned slot by slot: sub-calls by prompt (in order among equal prompts, so a batch
 * answered in another order still pairs up), everything else by position among its slot. The
 * result keeps the first run's order, each node of the second run alone placed before the node
 * it preceded there.
 */
function alignGroup(xs: readonly NodeRow[], ys: readonly NodeRow[], keys: KeyMaps, parent: PairNode | null): PairNode[] {
  const keyOf = (side: Side, node: NodeRow) => {
    const slot = slotOf(node);
    return slot === 'sub' ? `sub:${keys[side][node.id]?.prompt ?? ''}` : slot;
  };
  // The common case, two runs that took the same steps, without the bookkeeping below.
  if (xs.length === ys.length && xs.every((x, i) => keyOf('a', x) === keyOf('b', ys[i] as NodeRow))) {
    return xs.map((x, i) => pairOf(x, ys[i] as NodeRow, parent));
  }
  const partner = new Array<number>(ys.length).fill(-1);
  const bySlot = new Map<string, number[]>();
  xs.forEach((x, i) => {
    const key = keyOf('a', x);
    const queue = bySlot.get(key);
    if (queue) queue.push(i);
    else bySlot.set(key, [i]);
  });
  // A queue per key, consumed from its head: a cursor instead of shift() keeps it linear.
  const cursor = new Map<string, number>();
  ys.forEach((y, j) => {
    const key = keyOf('b', y);
    const queue = bySlot.get(key);
    const at = cursor.get(key) ?? 0;
    if (queue && at < queue.length) {
      partner[j] = queue[at] as number;
      cursor.set(key, at + 1);
    }
  });
  const partnerOf = new Array<number>(xs.length).fill(-1);
  partner.forEach((i, j) => {
    if (i >= 0) partnerOf[i] = j;
  });
  const placed: { pos: number; tie: number; pair: PairNode }[] = [];
  xs.forEach((x, i) => {
    const j = partnerOf[i] as number;
    placed.push({ pos: i, tie: -1, pair: pairOf(x, j >= 0 ? (ys[j] as NodeRow) : null, parent) });
  });
  // As a diff reads: what only the first run has, then what only the second has in its place.
  let before = xs.length;
  for (let j = ys.length - 1; j >= 0; j--) {
    const i = partner[j] as number;
    if (i >= 0) before = i;
    else placed.push({ pos: before - 0.5, tie: j, pair: pairOf(null, ys[j] as NodeRow, parent) });
  }
  placed.sort((p, q) => p.pos - q.pos || p.tie - q.tie);
  return placed.map((p) => p.pair);
}

/** The aligned tree in preorder, each pair given when a walk enters and leaves it. */
function eulerOrder(roots: PairNode[]): PairNode[] {
  const order: PairNode[] = [];
  let clock = 0;
  const stack: { pair: PairNode; next: number }[] = [];
  for (const root of roots) {
    root.enter = clock++;
    order.push(root);
    stack.push({ pair: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { pair: PairNode; next: number };
      const child = top.pair.children[top.next++];
      if (child) {
        child.enter = clock++;
        order.push(child);
        stack.push({ pair: child, next: 0 });
      } else {
        top.pair.exit = clock++;
        stack.pop();
      }
    }
  }
  return order;
}
