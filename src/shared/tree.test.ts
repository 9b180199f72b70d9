import { describe, expect, it } from 'vitest';
import { emptySubtree, type NodeRow } from './domain/node';
import { preorder } from './tree';

function node(id: number, parentId: number | null, seq: number): NodeRow {
  return {
    id, parentId, seq, kind: 'cell', depth: 0, status: 'completed', startedAt: 0, endedAt: 0, label: '', model: null, purpose: null,
    inputTokens: null, outputTokens: null, cachedTokens: null, costUsd: null, usageEstimated: false, subtree: emptySubtree(),
  };
}

describe('preorder', () => {
  it('orders children by seq under their parent, whatever the creation order', () => {
    const rows = preorder([node(1, null, 0), node(2, 1, 0), node(3, 1, 1), node(5, 1, 2), node(4, 3, 0)]);
    expect(rows.map((r) => `${r.node.id}@${r.level}`)).toEqual(['1@0', '2@1', '3@1', '4@2', '5@1']);
  });

  it('handles a chain 100,000 deep without recursion', () => {
    const chain = Array.from({ length: 100_000 }, (_, i) => node(i + 1, i === 0 ? null : i, 0));
    const rows = preorder(chain);
    expect(rows).toHaveLength(100_000);
    expect(rows.at(-1)).toMatchObject({ level: 99_999 });
  });

  it('keeps orphans as roots', () => {
    expect(preorder([node(1, null, 0), node(7, 6, 0)]).map((r) => r.node.id)).toEqual([1, 7]);
  });
});
