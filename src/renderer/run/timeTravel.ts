// Time travel: the run as it stood after its k-th recorded event. The events are what the tree
// records of every node: its start and, once it ended, its end, in the order of their times
// (a start before the end at the same millisecond; at the same time, parents start before their
// children and end after them). Step 0 is before anything; step `count` is the run as recorded.
//
// Built once per tree version, in O(n log n); then each question about step k is cheap: the run's
// totals are prefix sums, a node's own row is a lookup, and a subtree's totals walk the subtree
// only for the few nodes still running at k (an ended subtree's totals are its recorded ones).
// Pure: no DOM, no React; the tree is read, never changed.
import { countsAsCall, emptySubtree, type NodeRow, type SubtreeTotals } from '../../shared/domain/node';
import type { RunDetail } from '../../shared/domain/run';
import type { TreeIndex, VisibleRows } from './treeModel';

/** What a whole run had used at a step: the figures of the calls ended by then. */
export type StepTotals = SubtreeTotals;

export interface RunSteps {
  /** Events in all: one start per node and one end per ended node. */
  readonly count: number;
  /** The time of step k (ms): that of its event; step 0 is the first start. */
  timeAt(step: number): number;
  /** Whether the node had started by step k. */
  startedBy(id: number, step: number): boolean;
  /** The node's row as it stood at step k, or null when it had not started. */
  nodeAt(id: number, step: number): NodeRow | null;
  /** The run's totals at step k. */
  totalsAt(step: number): StepTotals;
  /** The step at which the node started (1-based), or null for an unknown node. */
  startStepOf(id: number): number | null;
  /**
   * The tree's visible rows at step k: what had started, under what is expanded. O(rows), with
   * no map built (the row index searches the rows): scrubbing a 100,000-node run redraws each frame.
   */
  rowsAt(tree: TreeIndex, step: number): VisibleRows;
}

/** Events of a tree: every node starts once, and ends once when its end is recorded. */
export function countSteps(tree: TreeIndex): number {
  let count = 0;
  for (const node of tree.nodes.values()) count += node.endedAt === null ? 1 : 2;
  return count;
}

const NEVER = 0x7fffffff;

export function buildSteps(tree: TreeIndex): RunSteps {
  const order = preorder(tree);
  const n = order.length;
  const at = new Map<number, number>();
  for (let i = 0; i < n; i++) at.set((order[i] as NodeRow).id, i);
  // Parents by pre-order index (-1 for a root): a parent always comes before its children.
  const parentAt = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const parent = (order[i] as NodeRow).parentId;
    const p = parent === null ? undefined : at.get(parent);
    if (p !== undefined && p < i) parentAt[i] = p;
  }
  // Subtree sizes in pre-order: a node's subtree is [i, i + size[i]); tree levels from the roots.
  const size = new Int32Array(n).fill(1);
  for (let i = n - 1; i >= 0; i--) {
    const p = parentAt[i] as number;
    if (p >= 0) size[p] = (size[p] as number) + (size[i] as number);
  }
  const level = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = parentAt[i] as number;
    if (p >= 0) level[i] = (level[p] as number) + 1;
  }

  // Events as pre-order indexes: start i is encoded as i, end i as ~i.
  let ended = 0;
  const startTime = new Float64Array(n);
  const endTime = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const node = order[i] as NodeRow;
    startTime[i] = node.startedAt;
    if (node.endedAt !== null) {
      endTime[i] = node.endedAt;
      ended++;
    }
  }
  const events = new Int32Array(n + ended);
  for (let i = 0, e = 0; i < n; i++) {
    events[e++] = i;
    if ((order[i] as NodeRow).endedAt !== null) events[e++] = ~i;
  }
  const timeOf = (e: number) => (e >= 0 ? (startTime[e] as number) : (endTime[~e] as number));
  events.sort((x, y) => {
    const dt = timeOf(x) - timeOf(y);
    if (dt !== 0) return dt;
    // A start before an end; starts in pre-order (parents first), ends in reverse (children first).
    if (x >= 0 !== y >= 0) return x >= 0 ? -1 : 1;
    return x >= 0 ? x - y : ~y - ~x;
  });
  const startAt = new Int32Array(n).fill(NEVER);
  const endAt = new Int32Array(n).fill(NEVER);
  const count = events.length;
  const times = new Float64Array(count + 1);
  const cost = new Float64Array(count + 1);
  const unpriced = new Int32Array(count + 1);
  const input = new Float64Array(count + 1);
  const output = new Float64Array(count + 1);
  const calls = new Int32Array(count + 1);
  times[0] = count > 0 ? timeOf(events[0] as number) : 0;
  for (let k = 1; k <= count; k++) {
    const e = events[k - 1] as number;
    times[k] = timeOf(e);
    cost[k] = cost[k - 1] as number;
    unpriced[k] = unpriced[k - 1] as number;
    input[k] = input[k - 1] as number;
    output[k] = output[k - 1] as number;
    calls[k] = calls[k - 1] as number;
    if (e >= 0) {
      startAt[e] = k;
      continue;
    }
    const i = ~e;
    endAt[i] = k;
    const node = order[i] as NodeRow;
    if (!countsAsCall(node)) continue;
    calls[k] = (calls[k] as number) + 1;
    input[k] = (input[k] as number) + (node.inputTokens ?? 0);
    output[k] = (output[k] as number) + (node.outputTokens ?? 0);
    if (node.costUsd === null) unpriced[k] = (unpriced[k] as number) + 1;
    else cost[k] = (cost[k] as number) + node.costUsd;
  }
  // A node is not shown before its parent, whatever the clocks say (an imported log's made-up
  // times, a millisecond's skew): parents come first in pre-order, so one pass settles it.
  for (let i = 0; i < n; i++) {
    const p = parentAt[i] as number;
    if (p >= 0 && (startAt[p] as number) > (startAt[i] as number)) startAt[i] = startAt[p] as number;
  }
  // The last end in each subtree: a subtree ended by step k has its recorded totals at k.
  const lastEnd = new Int32Array(endAt);
  for (let i = n - 1; i >= 0; i--) {
    const p = parentAt[i] as number;
    if (p >= 0 && (lastEnd[i] as number) > (lastEnd[p] as number)) lastEnd[p] = lastEnd[i] as number;
  }

  const subtreeAt = (i: number, step: number): SubtreeTotals => {
    const totals = emptySubtree();
    const end = i + (size[i] as number);
    for (let j = i; j < end; j++) {
      if ((endAt[j] as number) > step) continue;
      const node = order[j] as NodeRow;
      if (!countsAsCall(node)) continue;
      totals.modelCalls++;
      totals.inputTokens += node.inputTokens ?? 0;
      totals.outputTokens += node.outputTokens ?? 0;
      if (node.costUsd === null) totals.unpricedCalls++;
      else totals.pricedCostUsd += node.costUsd;
    }
    return totals;
  };
  // Rows asked for at one step are asked again on every render of that step: kept until it moves.
  let cachedStep = -1;
  const cached = new Map<number, NodeRow | null>();

  return {
    count,
    timeAt: (step) => times[clamp(step, count)] as number,
    startedBy(id, step) {
      const i = at.get(id);
      return i !== undefined && (startAt[i] as number) <= step;
    },
    rowsAt(tree, step) {
      const ids: number[] = [];
      const levels: number[] = [];
      // The pre-order position of each row, ascending: the row of an id is found by binary search.
      const positions: number[] = [];
      for (let i = 0; i < n; ) {
        // What had not started hides its subtree (children never start before their parent).
        if ((startAt[i] as number) > step) {
          i += size[i] as number;
          continue;
        }
        const id = (order[i] as NodeRow).id;
        ids.push(id);
        levels.push(level[i] as number);
        positions.push(i);
        i += tree.collapsed.has(id) ? (size[i] as number) : 1;
      }
      const rowOf = (id: number): number | undefined => {
        const p = at.get(id);
        if (p === undefined) return undefined;
        let lo = 0;
        let hi = positions.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if ((positions[mid] as number) < p) lo = mid + 1;
          else hi = mid;
        }
        return positions[lo] === p ? lo : undefined;
      };
      return { ids, levels, index: { get: rowOf, has: (id) => rowOf(id) !== undefined } };
    },
    startStepOf(id) {
      const i = at.get(id);
      return i === undefined ? null : (startAt[i] as number);
    },
    totalsAt(step) {
      const k = clamp(step, count);
      return {
        pricedCostUsd: cost[k] as number,
        unpricedCalls: unpriced[k] as number,
        inputTokens: input[k] as number,
        outputTokens: output[k] as number,
        modelCalls: calls[k] as number,
      };
    },
    nodeAt(id, step) {
      if (step !== cachedStep) {
        cached.clear();
        cachedStep = step;
      }
      const hit = cached.get(id);
      if (hit !== undefined) return hit;
      const i = at.get(id);
      let row: NodeRow | null = null;
      if (i !== undefined && (startAt[i] as number) <= step) {
        const node = order[i] as NodeRow;
        if ((lastEnd[i] as number) <= step) row = node;
        else if ((endAt[i] as number) <= step) row = { ...node, subtree: subtreeAt(i, step) };
        else row = runningAt(node, subtreeAt(i, step));
      }
      cached.set(id, row);
      return row;
    },
  };
}

/**
 * The run's summary as it stood at step k: the totals of the calls ended by then, still going.
 * Turns and depth are left as recorded (the meter does not show them).
 */
export function runAt(run: RunDetail, steps: RunSteps, step: number): RunDetail {
  const totals = steps.totalsAt(step);
  return {
    ...run,
    ...totals,
    costUsd: totals.unpricedCalls > 0 ? null : totals.pricedCostUsd,
    cachedTokens: 0,
    status: 'running',
    endedAt: null,
    durationMs: Math.max(0, steps.timeAt(step) - run.createdAt),
  };
}

/** A node that had not ended at the step: running, with none of its own figures yet. */
function runningAt(node: NodeRow, subtree: SubtreeTotals): NodeRow {
  return { ...node, status: 'running', endedAt: null, inputTokens: null, outputTokens: null, cachedTokens: null, costUsd: null, usageEstimated: false, subtree };
}

/** Every node in pre-order, whatever is collapsed; nodes no root reaches (a damaged parent loop) last. */
function preorder(tree: TreeIndex): NodeRow[] {
  const out: NodeRow[] = [];
  const seen = new Set<number>();
  const stack: number[] = [];
  for (let i = tree.roots.length - 1; i >= 0; i--) stack.push(tree.roots[i] as number);
  while (stack.length > 0) {
    const id = stack.pop() as number;
    const node = tree.nodes.get(id);
    if (!node || seen.has(id)) continue;
    seen.add(id);
    out.push(node);
    const kids = tree.children.get(id);
    if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as number);
  }
  if (out.length < tree.nodes.size) for (const node of tree.nodes.values()) if (!seen.has(node.id)) out.push(node);
  return out;
}

function clamp(step: number, count: number): number {
  return Math.max(0, Math.min(count, Math.floor(step)));
}
