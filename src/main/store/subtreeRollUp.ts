// The subtree roll-ups of a whole tree in one pass: what every node's `subtree` holds, computed
// from the nodes' own usage. The live path adds one call at a time up its ancestor chain in SQL
// (RunRepository.recordUsage); a tree written at once (an imported or forked run) is rolled up here
// instead, and the property test holds the two to the same figures.
// Iterative, like shared/tree.ts's preorder: a chain of 10,000 nested RLMs must not overflow
// the stack (cf. Langfuse's web/src/components/trace2/lib/tree-building.ts).
import { countsAsCall, emptySubtree, type NodeRow, type SubtreeTotals } from '../../shared/domain/node';

/** What the roll-up reads of a node: its place in the tree and its own usage. */
export type RollUpNode = Pick<NodeRow, 'id' | 'parentId' | 'inputTokens' | 'outputTokens' | 'costUsd' | 'usageEstimated'>;

/**
 * Every node's totals over itself and everything under it, by node id. A node is a model call
 * when its usage was recorded (`inputTokens` is set, as recordUsage always sets it) or is known to
 * be unknown (an imported call the log gives no counts for: it adds no tokens); a call with no
 * known price counts in `unpricedCalls`, never as 0 USD. Ids must be unique; the nodes may
 * come in any order. A node whose parent is missing (a damaged database) is a root, as
 * `preorder` shows it; nodes whose parents form a loop reach no root and keep their own usage.
 */
export function rollUpSubtrees(nodes: readonly RollUpNode[]): Map<number, SubtreeTotals> {
  const totals = new Map<number, SubtreeTotals>();
  for (const node of nodes) totals.set(node.id, ownUsage(node));

  const children = new Map<number, RollUpNode[]>();
  const roots: RollUpNode[] = [];
  for (const node of nodes) {
    const parent = node.parentId;
    if (parent === null || parent === node.id || !totals.has(parent)) {
      roots.push(node);
      continue;
    }
    const list = children.get(parent);
    if (list) list.push(node);
    else children.set(parent, [node]);
  }

  // Pre-order from the roots; walked backwards, every node comes after all of its descendants,
  // so adding each node's finished totals to its parent's rolls the whole tree up in one pass.
  const order: RollUpNode[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop() as RollUpNode;
    order.push(node);
    for (const child of children.get(node.id) ?? []) stack.push(child);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i] as RollUpNode;
    if (node.parentId === null || node.parentId === node.id) continue;
    const parent = totals.get(node.parentId);
    if (parent) add(parent, totals.get(node.id) as SubtreeTotals);
  }
  return totals;
}

function ownUsage(node: RollUpNode): SubtreeTotals {
  const totals = emptySubtree();
  if (!countsAsCall(node)) return totals;
  totals.modelCalls = 1;
  totals.inputTokens = node.inputTokens ?? 0;
  totals.outputTokens = node.outputTokens ?? 0;
  if (node.costUsd === null) totals.unpricedCalls = 1;
  else totals.pricedCostUsd = node.costUsd;
  return totals;
}

function add(into: SubtreeTotals, from: SubtreeTotals): void {
  into.pricedCostUsd += from.pricedCostUsd;
  into.unpricedCalls += from.unpricedCalls;
  into.inputTokens += from.inputTokens;
  into.outputTokens += from.outputTokens;
  into.modelCalls += from.modelCalls;
}
