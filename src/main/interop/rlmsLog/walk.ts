// Visiting an imported tree without recursion: a log may nest child RLMs deeply, and whoever
// stores or draws the tree should not need the stack to be as deep.
import type { ImportedNode } from './types';

export interface VisitedNode {
  node: ImportedNode;
  parent: ImportedNode | null;
  depth: number;
  /** Position among the parent's children, from 0. */
  seq: number;
}

/** The nodes in pre-order (a parent before its children, children in order). */
export function* walkNodes(root: ImportedNode): Generator<VisitedNode> {
  const stack: VisitedNode[] = [{ node: root, parent: null, depth: 0, seq: 0 }];
  for (let visit = stack.pop(); visit; visit = stack.pop()) {
    yield visit;
    const { node, depth } = visit;
    for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i]!, parent: node, depth: depth + 1, seq: i });
  }
}
