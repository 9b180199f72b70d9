// The tree's keyboard: keys become outcomes (treeKeys.ts) applied to the store, and the
// keyboard's row is scrolled into view whenever it moves.
import type { Virtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useRef, type KeyboardEvent, type RefObject } from 'react';
import type { RunRepository } from '../runStore';
import { treeKeyOutcome } from './treeKeys';

export function useTreeKeyboard(
  store: RunRepository,
  scroller: RefObject<HTMLDivElement | null>,
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  rowHeight: number,
  activeId: number | null,
  activeRow: number,
) {
  // Scrolls when the keyboard's row changes, not when rows are added elsewhere.
  const row = useRef(activeRow);
  row.current = activeRow;
  useLayoutEffect(() => {
    if (row.current >= 0) virtualizer.scrollToIndex(row.current, { align: 'auto' });
  }, [activeId, virtualizer]);

  return (e: KeyboardEvent<HTMLDivElement>) => {
    const { model, rows } = store.state.getState();
    if (!model || !rows || e.altKey || e.ctrlKey || e.metaKey) return;
    const pageSize = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 0) / rowHeight));
    const outcome = treeKeyOutcome(e.key, { tree: model.tree, rows, active: activeRow, pageSize });
    if (!outcome) return;
    e.preventDefault();
    if (outcome.expand) store.setExpanded(outcome.expand.id, outcome.expand.expanded);
    const next = outcome.active === undefined ? undefined : rows.ids[outcome.active];
    if (next !== undefined) store.setActive(next);
    if (outcome.select !== undefined) store.select(outcome.select);
  };
}
