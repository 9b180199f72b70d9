import { describe, expect, it } from 'vitest';
import type { NodeRow } from '../../shared/domain/node';
import {
  addToTree,
  buildTree,
  createTreeBuilder,
  finishTree,
  COLLAPSE_ABOVE,
  createTree,
  flatten,
  isStale,
  lastNodeWithStatus,
  payloadMayHaveChanged,
  revealNode,
  setAllExpanded,
  setExpanded,
  siblingPosition,
  tryAppendRow,
  upsertNode,
  visibleRowOf,
} from './treeModel';
import { chain, fan, node } from '../testing/nodeFixtures';

describe('building the tree', () => {
  it('builds the same tree from pages as from the whole, whatever page a parent comes in', () => {
    // Creation order, except 9, whose parent 10 comes in a later page, and 12, whose parent never comes.
    const nodes = [node(1, null), node(2, 1, 1), node(3, 1, 0), node(9, 10), node(4, 2), node(10, 3), node(11, 10, -1), node(12, 99)];
    const whole = buildTree(nodes);
    for (const size of [1, 2, 3, 8]) {
      const builder = createTreeBuilder();
      for (let i = 0; i < nodes.length; i += size) addToTree(builder, nodes.slice(i, i + size));
      const paged = finishTree(builder);
      expect(flatten(paged), `pages of ${size}`).toEqual(flatten(whole));
      expect(paged.roots).toEqual(whole.roots);
      expect([...paged.waiting]).toEqual([...whole.waiting]);
      expect(paged.newestId).toBe(12);
    }
    expect(flatten(whole).ids).toEqual([1, 3, 10, 11, 9, 2, 4, 12]);
  });

  it('lists rows in pre-order with their tree level', () => {
    // 1 ─┬─ 2 ─── 4
    //    └─ 3
    const tree = buildTree([node(1, null), node(2, 1, 0), node(3, 1, 1), node(4, 2, 0)]);
    const rows = flatten(tree);
    expect(rows.ids).toEqual([1, 2, 4, 3]);
    expect(rows.levels).toEqual([0, 1, 2, 1]);
    expect(rows.index.get(3)).toBe(3);
  });

  it('orders siblings by seq whatever order they come in', () => {
    const tree = buildTree([node(1, null), node(3, 1, 1), node(2, 1, 0), node(4, 1, 2)]);
    expect(flatten(tree).ids).toEqual([1, 2, 3, 4]);
  });

  it('shows a node whose parent is missing at the top level instead of losing it', () => {
    const tree = buildTree([node(1, null), node(5, 99, 0)]);
    expect(flatten(tree).ids).toEqual([1, 5]);
  });

  it('handles a chain 10,000 deep without recursion', () => {
    const rows = flatten(buildTree(chain(10_000)));
    expect(rows.ids.length).toBe(10_000);
    expect(rows.levels[9_999]).toBe(9_999);
  });

  it('builds and flattens 100,000 nodes quickly', () => {
    const nodes = fan(99_999);
    const started = performance.now();
    const tree = buildTree(nodes);
    setExpanded(tree, 1, true);
    const rows = flatten(tree);
    const ms = performance.now() - started;
    expect(rows.ids.length).toBe(100_000);
    // Generous for a shared CI machine; in practice it takes a few tens of milliseconds.
    expect(ms).toBeLessThan(1000);
  });

  it('starts finished nodes with more than COLLAPSE_ABOVE children collapsed, others expanded', () => {
    const big = buildTree(fan(COLLAPSE_ABOVE + 1));
    expect(flatten(big).ids).toEqual([1]);
    const small = buildTree(fan(COLLAPSE_ABOVE));
    expect(flatten(small).ids.length).toBe(COLLAPSE_ABOVE + 1);
    // A node still running is where a live run happens: it stays open.
    const live = fan(COLLAPSE_ABOVE + 1);
    live[0] = { ...(live[0] as NodeRow), status: 'running' };
    expect(flatten(buildTree(live)).ids.length).toBe(COLLAPSE_ABOVE + 2);
  });
});

describe('live updates', () => {
  it('adds nodes and replaces updated ones without duplicates', () => {
    const tree = createTree();
    expect(upsertNode(tree, node(1, null, 0, { status: 'running' }))).toBe('added');
    expect(upsertNode(tree, node(2, 1, 0, { status: 'running' }))).toBe('added');
    // A nodeAdded for a node already held is an update.
    expect(upsertNode(tree, node(2, 1, 0, { status: 'completed', label: 'done' }))).toBe('updated');
    expect(tree.nodes.get(2)?.label).toBe('done');
    expect(flatten(tree).ids).toEqual([1, 2]);
    expect(tree.newestId).toBe(2);
  });

  it('moves children that came before their parent under it when it arrives', () => {
    const tree = createTree();
    upsertNode(tree, node(1, null));
    upsertNode(tree, node(3, 2, 0));
    expect(flatten(tree).ids).toEqual([1, 3]);
    upsertNode(tree, node(2, 1, 0));
    const rows = flatten(tree);
    expect(rows.ids).toEqual([1, 2, 3]);
    expect(rows.levels).toEqual([0, 1, 2]);
  });

  it('ignores an older picture of a node than the one held', () => {
    const done = node(2, 1, 0, { status: 'completed', subtree: { pricedCostUsd: 1, unpricedCalls: 0, inputTokens: 10, outputTokens: 5, modelCalls: 2 } });
    expect(isStale(done, node(2, 1, 0, { status: 'running' }))).toBe(true);
    expect(isStale(done, { ...done, subtree: { ...done.subtree, modelCalls: 1 } })).toBe(true);
    expect(isStale(done, { ...done, label: 'newer' })).toBe(false);
    const tree = buildTree([node(1, null), done]);
    expect(upsertNode(tree, node(2, 1, 0, { status: 'running' }))).toBe('stale');
    expect(tree.nodes.get(2)).toBe(done);
  });

  it("bumps a node's payload revision for own changes, not for roll-ups from below", () => {
    const before = node(1, null, 0, { status: 'running' });
    const rolledUp = { ...before, subtree: { ...before.subtree, modelCalls: 1, inputTokens: 3 } };
    expect(payloadMayHaveChanged(before, rolledUp)).toBe(false);
    expect(payloadMayHaveChanged(before, { ...before, status: 'completed' })).toBe(true);
    // Nothing changed in the row at all: only its payload can have (a note was added).
    expect(payloadMayHaveChanged(before, { ...before })).toBe(true);
    const tree = buildTree([before]);
    upsertNode(tree, rolledUp);
    expect(tree.payloadRev.get(1)).toBeUndefined();
    upsertNode(tree, { ...rolledUp, status: 'completed', endedAt: 5 });
    expect(tree.payloadRev.get(1)).toBe(1);
  });

  it('appends a new last row in place and refuses when the row belongs elsewhere', () => {
    const tree = buildTree([node(1, null), node(2, 1, 0), node(3, 2, 0)]);
    const rows = flatten(tree);
    // The newest child of the last cell: it is the new last row.
    upsertNode(tree, node(4, 2, 1));
    expect(tryAppendRow(tree, rows, 4)).toBe(true);
    expect(rows.ids).toEqual(flatten(tree).ids);
    expect(rows.levels).toEqual(flatten(tree).levels);
    // A child of an earlier node lands in the middle: the rows must be rebuilt.
    upsertNode(tree, node(5, 1, 1));
    upsertNode(tree, node(6, 3, 0));
    expect(tryAppendRow(tree, flatten(tree), 6)).toBe(false);
    // Under a collapsed node nothing is appended.
    setExpanded(tree, 5, false);
    upsertNode(tree, node(7, 5, 0));
    setExpanded(tree, 5, false);
    const collapsed = flatten(tree);
    upsertNode(tree, node(8, 5, 1));
    expect(tryAppendRow(tree, collapsed, 8)).toBe(false);
  });

  it('keeps appending cheaply down a long live chain', () => {
    const tree = createTree();
    upsertNode(tree, node(1, null));
    const rows = flatten(tree);
    for (let id = 2; id <= 2000; id++) {
      upsertNode(tree, node(id, id - 1, 0));
      expect(tryAppendRow(tree, rows, id)).toBe(true);
    }
    expect(rows.levels[1999]).toBe(1999);
  });
});

describe('collapsing and finding rows', () => {
  it('hides and shows a subtree', () => {
    const tree = buildTree([node(1, null), node(2, 1, 0), node(3, 2, 0), node(4, 1, 1)]);
    expect(setExpanded(tree, 2, false)).toBe(true);
    expect(setExpanded(tree, 2, false)).toBe(false);
    expect(setExpanded(tree, 3, false)).toBe(false); // a leaf has nothing to collapse
    const rows = flatten(tree);
    expect(rows.ids).toEqual([1, 2, 4]);
    expect(visibleRowOf(tree, rows, 3)).toBe(1);
    expect(revealNode(tree, 3)).toBe(true);
    expect(flatten(tree).ids).toEqual([1, 2, 3, 4]);
  });

  it('expands everything, or collapses all but the top level', () => {
    const tree = buildTree([node(1, null), node(2, 1, 0), node(3, 2, 0), node(4, 3, 0), node(5, 1, 1)]);
    setAllExpanded(tree, false);
    expect(flatten(tree).ids).toEqual([1, 2, 5]);
    expect(setAllExpanded(tree, true)).toBe(true);
    expect(flatten(tree).ids).toEqual([1, 2, 3, 4, 5]);
    expect(setAllExpanded(tree, true)).toBe(false);
  });

  it('gives positions among siblings', () => {
    const tree = buildTree(fan(3));
    expect(siblingPosition(tree, 3)).toEqual({ posinset: 2, setsize: 3 });
    expect(siblingPosition(tree, 1)).toEqual({ posinset: 1, setsize: 1 });
  });

  it('finds the last node with a status', () => {
    const tree = buildTree([node(1, null), node(2, 1, 0, { status: 'failed' }), node(3, 1, 1, { status: 'failed' }), node(4, 1, 2)]);
    expect(lastNodeWithStatus(tree, 'failed')).toBe(3);
    expect(lastNodeWithStatus(tree, 'stopped')).toBeNull();
  });
});
