import { describe, expect, it } from 'vitest';
import type { NodeKind, SubtreeTotals } from '../../shared/domain/node';
import { RunRepository } from './runRepository';
import { rollUpSubtrees, type RollUpNode } from './subtreeRollUp';
import { newRun, tempDatabase } from '../testing/tempDatabase';

const call = (id: number, parentId: number | null, inputTokens: number, outputTokens: number, costUsd: number | null): RollUpNode => ({
  id,
  parentId,
  inputTokens,
  outputTokens,
  costUsd,
  usageEstimated: false,
});
const step = (id: number, parentId: number | null): RollUpNode => ({ id, parentId, inputTokens: null, outputTokens: null, costUsd: null, usageEstimated: false });
/** A call an imported log gives no usage for: its tokens unknown, not zero. */
const unknownCall = (id: number, parentId: number | null): RollUpNode => ({ id, parentId, inputTokens: null, outputTokens: null, costUsd: null, usageEstimated: true });
const totals = (pricedCostUsd: number, unpricedCalls: number, inputTokens: number, outputTokens: number, modelCalls: number): SubtreeTotals => ({
  pricedCostUsd,
  unpricedCalls,
  inputTokens,
  outputTokens,
  modelCalls,
});

/** A small seeded generator (mulberry32): every run of the property test sees the same trees. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('rollUpSubtrees', () => {
  it('counts a call of unknown usage as an unpriced call that adds no tokens', () => {
    // rlm 1 ─ llm 2 (unknown), cell 3 ─ llm 4 (priced)
    const rolled = rollUpSubtrees([step(1, null), unknownCall(2, 1), step(3, 1), call(4, 3, 30, 3, 0.5)]);
    expect(rolled.get(2)).toEqual(totals(0, 1, 0, 0, 1));
    expect(rolled.get(1)).toEqual(totals(0.5, 1, 30, 3, 2));
    // A step with no usage, not marked, is no call.
    expect(rolled.get(3)).toEqual(totals(0.5, 0, 30, 3, 1));
  });

  it("adds every call to itself and each of its ancestors; steps that are not calls count nothing of their own", () => {
    // rlm 1 ─ llm 2, cell 3 ─ rlm 4 ─ llm 5 (unpriced), llm 6
    const rolled = rollUpSubtrees([step(1, null), call(2, 1, 100, 10, 0.25), step(3, 1), step(4, 3), call(5, 4, 50, 5, null), call(6, 4, 20, 2, 0.5)]);
    expect(rolled.get(1)).toEqual(totals(0.75, 1, 170, 17, 3));
    expect(rolled.get(2)).toEqual(totals(0.25, 0, 100, 10, 1));
    expect(rolled.get(3)).toEqual(totals(0.5, 1, 70, 7, 2));
    expect(rolled.get(4)).toEqual(totals(0.5, 1, 70, 7, 2));
    expect(rolled.get(5)).toEqual(totals(0, 1, 50, 5, 1));
    expect(rolled.get(6)).toEqual(totals(0.5, 0, 20, 2, 1));
  });

  it('takes the nodes in any order', () => {
    const nodes = [step(1, null), step(2, 1), call(3, 2, 1, 1, 1), call(4, 1, 2, 2, 2)];
    const expected = rollUpSubtrees(nodes);
    expect(rollUpSubtrees([...nodes].reverse())).toEqual(expected);
    expect(expected.get(1)).toEqual(totals(3, 0, 3, 3, 2));
  });

  it('rolls a chain 10,000 deep up without recursion', () => {
    const depth = 10_000;
    const nodes = Array.from({ length: depth }, (_, i) => (i === depth - 1 ? call(i + 1, i === 0 ? null : i, 7, 3, 0.5) : step(i + 1, i === 0 ? null : i)));
    const rolled = rollUpSubtrees(nodes);
    expect(rolled.size).toBe(depth);
    expect(rolled.get(1)).toEqual(totals(0.5, 0, 7, 3, 1));
    expect(rolled.get(depth / 2)).toEqual(totals(0.5, 0, 7, 3, 1));
  });

  it('takes a node whose parent is missing as a root, and leaves nodes whose parents loop with their own usage', () => {
    const rolled = rollUpSubtrees([call(5, 99, 10, 1, 1), call(6, 5, 20, 2, 2), call(7, 8, 30, 3, 3), call(8, 7, 40, 4, 4), call(9, 9, 1, 1, 1)]);
    expect(rolled.get(5)).toEqual(totals(3, 0, 30, 3, 2));
    expect(rolled.get(7)).toEqual(totals(3, 0, 30, 3, 1));
    expect(rolled.get(8)).toEqual(totals(4, 0, 40, 4, 1));
    expect(rolled.get(9)).toEqual(totals(1, 0, 1, 1, 1));
  });

  it('is empty for no nodes', () => {
    expect(rollUpSubtrees([])).toEqual(new Map());
  });
});

describe('rollUpSubtrees against the store', () => {
  /**
   * Writes a random tree as the engine does, node by node, and finishes its calls in a random
   * order (calls run concurrently), each rolled up the tree by the store's SQL.
   */
  function liveTree(store: RunRepository, runId: string, next: () => number, size: number, chain: boolean): void {
    store.createRun(newRun({ runId }));
    const calls: number[] = [];
    const kinds: NodeKind[] = ['rlm', 'llm', 'cell'];
    for (let id = 1; id <= size; id++) {
      // Parents are earlier nodes: ids are creation order. A chain nests every node in the last.
      const parentId = id === 1 ? null : chain ? id - 1 : 1 + Math.floor(next() * (id - 1));
      const kind = id === 1 ? 'rlm' : (kinds[Math.floor(next() * kinds.length)] as NodeKind);
      store.addNode(runId, { id, parentId, kind, depth: 0, seq: id, startedAt: 1_000 + id, label: `${kind} ${id}` }, {});
      if (kind === 'llm' && next() < 0.8) calls.push(id);
    }
    for (let i = calls.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [calls[i], calls[j]] = [calls[j] as number, calls[i] as number];
    }
    for (const id of calls) {
      const costUsd = next() < 0.2 ? null : Math.round(next() * 1e6) / 1e7;
      const usage = { inputTokens: Math.floor(next() * 5_000), outputTokens: Math.floor(next() * 500), cachedTokens: 0, costUsd, estimated: false };
      store.finishCall(runId, id, usage, { status: 'completed', endedAt: 5_000 }, {});
    }
  }

  function expectSameRollUp(store: RunRepository, runId: string): void {
    const stored = store.getNodes(runId);
    const rolled = rollUpSubtrees(stored);
    for (const node of stored) {
      const mine = rolled.get(node.id) as SubtreeTotals;
      // Sums of the same costs in another order: equal up to the last bits of a double.
      expect({ ...mine, pricedCostUsd: 0 }, `node ${node.id}`).toEqual({ ...node.subtree, pricedCostUsd: 0 });
      expect(mine.pricedCostUsd).toBeCloseTo(node.subtree.pricedCostUsd, 9);
    }
    const run = store.getRun(runId);
    const root = rolled.get(1) as SubtreeTotals;
    expect({ calls: root.modelCalls, unpriced: root.unpricedCalls, input: root.inputTokens }).toEqual({
      calls: run?.modelCalls,
      unpriced: run?.unpricedCalls,
      input: run?.inputTokens,
    });
  }

  it('gives every node of random trees the figures the live SQL roll-up stored', () => {
    const { db } = tempDatabase();
    const store = new RunRepository(db);
    const next = random(20261206);
    for (let trial = 0; trial < 30; trial++) {
      const runId = `random-${trial}`;
      liveTree(store, runId, next, 1 + Math.floor(next() * 80), false);
      expectSameRollUp(store, runId);
    }
  });

  it('gives every node of a deep chain the figures the live SQL roll-up stored', () => {
    const { db } = tempDatabase();
    const store = new RunRepository(db);
    liveTree(store, 'chain', random(7), 500, true);
    expectSameRollUp(store, 'chain');
  });
});
