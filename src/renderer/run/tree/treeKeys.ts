// What a key does in the recursion tree (WAI-ARIA tree view pattern), as a pure function of the
// visible rows: the component only applies the outcome.
import { childrenOf, isExpanded, type TreeIndex, type VisibleRows } from '../treeModel';

export interface TreeKeyContext {
  tree: TreeIndex;
  rows: VisibleRows;
  /** Row index of the active (focused) row. */
  active: number;
  /** Rows per page, for PageUp / PageDown. */
  pageSize: number;
}

export interface TreeKeyOutcome {
  /** The row to make active. */
  active?: number;
  /** Expand (true) or collapse (false) this node. */
  expand?: { id: number; expanded: boolean };
  /** Open this node in the detail pane. */
  select?: number;
}

/** The outcome of a key, or null when the tree does not handle it (the browser may). */
export function treeKeyOutcome(key: string, ctx: TreeKeyContext): TreeKeyOutcome | null {
  const { tree, rows, pageSize } = ctx;
  const last = rows.ids.length - 1;
  if (last < 0) return null;
  const active = Math.min(Math.max(ctx.active, 0), last);
  const id = rows.ids[active] as number;
  const page = Math.max(1, pageSize - 1);
  switch (key) {
    case 'ArrowDown':
      return { active: Math.min(active + 1, last) };
    case 'ArrowUp':
      return { active: Math.max(active - 1, 0) };
    case 'Home':
      return { active: 0 };
    case 'End':
      return { active: last };
    case 'PageDown':
      return { active: Math.min(active + page, last) };
    case 'PageUp':
      return { active: Math.max(active - page, 0) };
    case 'ArrowRight':
      if (childrenOf(tree, id).length === 0) return {};
      if (!isExpanded(tree, id)) return { expand: { id, expanded: true } };
      return { active: Math.min(active + 1, last) };
    case 'ArrowLeft': {
      if (isExpanded(tree, id)) return { expand: { id, expanded: false } };
      const parent = tree.nodes.get(id)?.parentId ?? null;
      const parentRow = parent === null ? undefined : rows.index.get(parent);
      return parentRow === undefined ? {} : { active: parentRow };
    }
    case 'Enter':
    case ' ':
      return { select: id };
    default:
      return null;
  }
}
