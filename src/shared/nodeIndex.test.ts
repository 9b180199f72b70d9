import { describe, expect, it } from 'vitest';
import { emptySubtree, type NodeRow } from './domain/node';
import { decodeNodeIndex, encodeNodeIndex, NODE_INDEX_ENCODING } from './nodeIndex';

const node = (id: number, parentId: number | null, over: Partial<NodeRow> = {}): NodeRow => ({
  id,
  parentId,
  kind: 'llm',
  depth: 0,
  seq: id,
  status: 'completed',
  startedAt: 1000 + id,
  endedAt: 2000 + id,
  label: `call ${id} "quoted" \u2603`,
  model: 'm',
  purpose: 'sub',
  inputTokens: 10,
  outputTokens: 2,
  cachedTokens: 0,
  costUsd: 0.000027,
  usageEstimated: true,
  cached: false,
  subtree: { ...emptySubtree(), pricedCostUsd: 0.000027, inputTokens: 10, outputTokens: 2, modelCalls: 1 },
  ...over,
});

describe('the compact node index', () => {
  it('round-trips every field of every row', () => {
    const rows = [node(1, null, { kind: 'rlm', model: null, purpose: null, costUsd: null, usageEstimated: false }), node(2, 1), node(3, 1, { endedAt: null, status: 'running' }), node(4, 1, { cached: true, inputTokens: null, outputTokens: null, costUsd: null })];
    expect(decodeNodeIndex(encodeNodeIndex(rows))).toEqual(rows);
  });

  it('puts cached last, and reads a row from before it as not cached', () => {
    const tuple = JSON.parse(encodeNodeIndex([node(1, null, { cached: true })]).json) as unknown[][];
    expect(tuple[0]).toHaveLength(22);
    expect(tuple[0]!.at(-1)).toBe(1);
    const older = JSON.stringify([tuple[0]!.slice(0, 21)]);
    expect(decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, json: older })).toEqual([node(1, null)]);
  });

  it('refuses what is not an index, with a message instead of a crash later', () => {
    expect(() => decodeNodeIndex({ encoding: 'other' as typeof NODE_INDEX_ENCODING, json: '[]' })).toThrow(/unknown encoding/);
    expect(() => decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, json: '{}' })).toThrow(/not a list/);
    expect(() => decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, json: '[[1,null]]' })).toThrow(/node 0 of the index is damaged/);
    expect(() => decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, json: '[[' })).toThrow();
  });
});
