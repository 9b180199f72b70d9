// Follow mode: while a run is going, the tree keeps its newest node in view, until the reader
// scrolls away or moves the selection; a "Jump to newest" button then resumes it.
import { visibleRowOf, type TreeIndex, type VisibleRows } from '../treeModel';

export interface Viewport {
  scrollTop: number;
  height: number;
  rowHeight: number;
}

/** The row follow mode keeps in view: the newest node's, or its nearest visible ancestor's. */
export function followTargetRow(tree: TreeIndex, rows: VisibleRows): number | null {
  return tree.newestId === null ? null : visibleRowOf(tree, rows, tree.newestId);
}

/** Whether a row lies wholly inside the viewport. */
export function isRowInView(row: number, view: Viewport): boolean {
  const top = row * view.rowHeight;
  return top >= view.scrollTop && top + view.rowHeight <= view.scrollTop + view.height;
}

/**
 * The row to scroll to after the tree changed, or null to leave the scroll alone: only while
 * following a run that is going, and only when the newest row is out of view (scrolling on every
 * frame regardless would fight the reader's own small scrolls and waste layout).
 */
export function followScrollTarget(following: boolean, runActive: boolean, tree: TreeIndex, rows: VisibleRows, view: Viewport): number | null {
  if (!following || !runActive) return null;
  const target = followTargetRow(tree, rows);
  if (target === null || isRowInView(target, view)) return null;
  return target;
}
