// Selects the node a link named (`#/runs/<id>?node=<n>`) once it is in the tree: a large run's
// index comes in pages, so a node past the first page is selected when the rest arrives. Each
// node the route names is selected once; what the reader clicks afterwards stays theirs.
import { useEffect, useRef } from 'react';
import type { RunRepository } from './runStore';
import { useRunState } from './useRunState';

export function useSelectNode(store: RunRepository, node: number | null): void {
  const present = useRunState(store, (s) => node !== null && (s.model?.tree.nodes.has(node) ?? false));
  const done = useRef<number | null>(null);
  useEffect(() => {
    // A link without a node forgets the last one, so following the same link again selects it again.
    if (node === null) done.current = null;
    if (node === null || !present || done.current === node) return;
    done.current = node;
    store.select(node);
  }, [store, node, present]);
}
