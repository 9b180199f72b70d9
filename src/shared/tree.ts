// The run tree as a flat, pre-ordered list of rows: what the CLI prints and the UI virtualises.
// Iterative (a chain of 100,000 nested nodes must not overflow the stack) and pure.
import type { NodeRow } from './domain/node';

export interface TreeRow {
  node: NodeRow;
  /** Distance from the root. */
  level: number;
}

export function preorder(nodes: readonly NodeRow[]): TreeRow[] {
  const children = new Map<number | null, NodeRow[]>();
  const ids = new Set(nodes.map((node) => node.id));
  for (const node of nodes) {
    // A node whose parent is missing (a damaged database) is shown as a root, not lost.
    const parent = node.parentId !== null && ids.has(node.parentId) ? node.parentId : null;
    const list = children.get(parent);
    if (list) list.push(node);
    else children.set(parent, [node]);
  }
  for (const list of children.values()) list.sort((a, b) => a.seq - b.seq || a.id - b.id);
  const rows: TreeRow[] = [];
  const stack: TreeRow[] = [...(children.get(null) ?? [])].reverse().map((node) => ({ node, level: 0 }));
  while (stack.length > 0) {
    const row = stack.pop() as TreeRow;
    rows.push(row);
    const kids = children.get(row.node.id);
    if (!kids) continue;
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i] as NodeRow, level: row.level + 1 });
  }
  return rows;
}
