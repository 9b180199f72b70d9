import { describe, expect, it } from 'vitest';
import { fan } from '../../testing/nodeFixtures';
import { buildTree, flatten, setExpanded } from '../treeModel';
import { followScrollTarget, followTargetRow, isRowInView } from './follow';

const view = (scrollTop: number) => ({ scrollTop, height: 100, rowHeight: 10 });

describe('follow mode', () => {
  it('targets the newest node, or its visible ancestor when collapsed away', () => {
    const tree = buildTree(fan(20));
    expect(followTargetRow(tree, flatten(tree))).toBe(20);
    setExpanded(tree, 1, false);
    expect(followTargetRow(tree, flatten(tree))).toBe(0);
  });

  it('knows when a row is wholly in view', () => {
    expect(isRowInView(5, view(0))).toBe(true);
    expect(isRowInView(9, view(0))).toBe(true);
    expect(isRowInView(10, view(0))).toBe(false);
    expect(isRowInView(2, view(25))).toBe(false);
  });

  it('scrolls only while following a going run, and only when the newest row is out of view', () => {
    const tree = buildTree(fan(20));
    const rows = flatten(tree);
    expect(followScrollTarget(true, true, tree, rows, view(0))).toBe(20);
    expect(followScrollTarget(true, true, tree, rows, view(120))).toBeNull();
    expect(followScrollTarget(false, true, tree, rows, view(0))).toBeNull();
    expect(followScrollTarget(true, false, tree, rows, view(0))).toBeNull();
  });
});
