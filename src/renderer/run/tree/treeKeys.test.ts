import { describe, expect, it } from 'vitest';
import { node } from '../../testing/nodeFixtures';
import { buildTree, flatten, setExpanded } from '../treeModel';
import { treeKeyOutcome } from './treeKeys';

// 1 ─┬─ 2 ─┬─ 3
//    │     └─ 4
//    └─ 5
function context(active: number) {
  const tree = buildTree([node(1, null), node(2, 1, 0), node(3, 2, 0), node(4, 2, 1), node(5, 1, 1)]);
  return { tree, rows: flatten(tree), active, pageSize: 3 };
}

describe('tree keys', () => {
  it('moves up, down, home, end and by pages, within bounds', () => {
    expect(treeKeyOutcome('ArrowDown', context(0))).toEqual({ active: 1 });
    expect(treeKeyOutcome('ArrowDown', context(4))).toEqual({ active: 4 });
    expect(treeKeyOutcome('ArrowUp', context(0))).toEqual({ active: 0 });
    expect(treeKeyOutcome('End', context(0))).toEqual({ active: 4 });
    expect(treeKeyOutcome('Home', context(3))).toEqual({ active: 0 });
    expect(treeKeyOutcome('PageDown', context(0))).toEqual({ active: 2 });
    expect(treeKeyOutcome('PageDown', context(3))).toEqual({ active: 4 });
    expect(treeKeyOutcome('PageUp', context(3))).toEqual({ active: 1 });
  });

  it('collapses, then goes to the parent with ArrowLeft', () => {
    const ctx = context(1);
    expect(treeKeyOutcome('ArrowLeft', ctx)).toEqual({ expand: { id: 2, expanded: false } });
    expect(treeKeyOutcome('ArrowLeft', context(2))).toEqual({ active: 1 });
    const root = context(0);
    setExpanded(root.tree, 1, false);
    expect(treeKeyOutcome('ArrowLeft', { ...root, rows: flatten(root.tree) })).toEqual({});
  });

  it('expands, then goes to the first child with ArrowRight; a leaf stays', () => {
    const ctx = context(1);
    setExpanded(ctx.tree, 2, false);
    const collapsed = { ...ctx, rows: flatten(ctx.tree) };
    expect(treeKeyOutcome('ArrowRight', collapsed)).toEqual({ expand: { id: 2, expanded: true } });
    expect(treeKeyOutcome('ArrowRight', context(1))).toEqual({ active: 2 });
    expect(treeKeyOutcome('ArrowRight', context(2))).toEqual({});
  });

  it('selects with Enter and Space, and leaves other keys to the browser', () => {
    expect(treeKeyOutcome('Enter', context(4))).toEqual({ select: 5 });
    expect(treeKeyOutcome(' ', context(0))).toEqual({ select: 1 });
    expect(treeKeyOutcome('a', context(0))).toBeNull();
  });
});
