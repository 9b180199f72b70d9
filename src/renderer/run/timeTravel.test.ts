import { describe, expect, it } from 'vitest';
import type { NodeRow } from '../../shared/domain/node';
import { chain, node, runDetail } from '../testing/nodeFixtures';
import { applyEvents, createModel, refreshRows } from './runModel';
import { buildSteps, countSteps, runAt } from './timeTravel';
import { buildTree, flatten } from './treeModel';

const call = (id: number, parentId: number, seq: number, startedAt: number, endedAt: number | null, cost: number | null, input = 100, output = 10): NodeRow =>
  node(id, parentId, seq, {
    kind: 'llm',
    purpose: 'sub',
    startedAt,
    endedAt,
    status: endedAt === null ? 'running' : 'completed',
    inputTokens: endedAt === null ? null : input,
    outputTokens: endedAt === null ? null : output,
    costUsd: endedAt === null ? null : cost,
    subtree: { pricedCostUsd: cost ?? 0, unpricedCalls: cost === null ? 1 : 0, inputTokens: input, outputTokens: output, modelCalls: 1 },
  });

// rlm 1 [0, 100] ─ llm 2 turn [0, 10] ($0.01), cell 3 [10, 60] ─ llm 4 [20, 50] ($0.02), llm 5 [20, 40] (unpriced), llm 6 turn [60, 100] ($0.04)
function run(): NodeRow[] {
  return [
    node(1, null, 0, { kind: 'rlm', startedAt: 0, endedAt: 100, subtree: { pricedCostUsd: 0.07, unpricedCalls: 1, inputTokens: 400, outputTokens: 40, modelCalls: 4 } }),
    call(2, 1, 0, 0, 10, 0.01),
    node(3, 1, 1, { kind: 'cell', startedAt: 10, endedAt: 60, subtree: { pricedCostUsd: 0.02, unpricedCalls: 1, inputTokens: 200, outputTokens: 20, modelCalls: 2 } }),
    call(4, 3, 0, 20, 50, 0.02),
    call(5, 3, 1, 20, 40, null),
    call(6, 1, 2, 60, 100, 0.04),
  ];
}

describe('time travel', () => {
  it('orders every start and end by time: parents start first and end last, a start before an end at the same time', () => {
    const steps = buildSteps(buildTree(run()));
    expect(steps.count).toBe(12);
    expect(countSteps(buildTree(run()))).toBe(12);
    // Steps: 1 start 1, 2 start 2 (t=0); 3 start 3, 4 end 2 (t=10: the start first); 5 start 4, 6 start 5 (t=20); …
    expect([1, 2, 3, 4, 5, 6].map((id) => steps.startStepOf(id))).toEqual([1, 2, 3, 5, 6, 9]);
    // At t=10 the cell starts before the turn's end is counted (a start before an end).
    expect(steps.nodeAt(2, 3)?.status).toBe('running');
    expect(steps.nodeAt(2, 4)?.status).toBe('completed');
    expect(steps.timeAt(0)).toBe(0);
    expect(steps.timeAt(steps.count)).toBe(100);
  });

  it('shows nodes not yet started as absent, running ones as running with no figures of their own', () => {
    const steps = buildSteps(buildTree(run()));
    expect(steps.nodeAt(1, 0)).toBeNull();
    expect(steps.startedBy(3, 2)).toBe(false);
    expect(steps.nodeAt(4, 4)).toBeNull();
    const cell = steps.nodeAt(3, 6) as NodeRow;
    expect(cell).toMatchObject({ status: 'running', endedAt: null });
    expect(cell.subtree.modelCalls).toBe(0);
    const sub = steps.nodeAt(4, 6) as NodeRow;
    expect(sub).toMatchObject({ status: 'running', inputTokens: null, costUsd: null, usageEstimated: false });
    // After call 5 ended (t=40) and before 4 (t=50): the cell holds one unpriced call.
    const mid = steps.nodeAt(3, 7) as NodeRow;
    expect(mid.subtree).toEqual({ pricedCostUsd: 0, unpricedCalls: 1, inputTokens: 100, outputTokens: 10, modelCalls: 1 });
    // At the last step every row is the recorded one, the same object.
    const nodes = run();
    const tree = buildTree(nodes);
    const all = buildSteps(tree);
    for (const n of nodes) expect(all.nodeAt(n.id, all.count)).toBe(tree.nodes.get(n.id));
  });

  it("totals the run's calls ended by each step, and never more than the record", () => {
    const steps = buildSteps(buildTree(run()));
    expect(steps.totalsAt(0)).toMatchObject({ modelCalls: 0, pricedCostUsd: 0 });
    expect(steps.totalsAt(3)).toMatchObject({ modelCalls: 0 });
    expect(steps.totalsAt(4)).toMatchObject({ modelCalls: 1, inputTokens: 100, unpricedCalls: 0 });
    expect(steps.totalsAt(4).pricedCostUsd).toBeCloseTo(0.01, 12);
    const end = steps.totalsAt(steps.count);
    expect(end).toMatchObject({ modelCalls: 4, unpricedCalls: 1, inputTokens: 400, outputTokens: 40 });
    expect(end.pricedCostUsd).toBeCloseTo(0.07, 12);
    let calls = 0;
    for (let k = 0; k <= steps.count; k++) {
      const t = steps.totalsAt(k).modelCalls;
      expect(t).toBeGreaterThanOrEqual(calls);
      calls = t;
    }
    const detail = runAt(runDetail({ createdAt: 0, status: 'completed', endedAt: 100, durationMs: 100, modelCalls: 4 }), steps, 4);
    expect(detail).toMatchObject({ status: 'running', endedAt: null, modelCalls: 1, costUsd: 0.01, durationMs: 10 });
    expect(runAt(runDetail({ createdAt: 0 }), steps, 7).costUsd).toBeNull();
  });

  it('gives the rows at a step in tree order, under what is expanded, with a row index that finds them', () => {
    const tree = buildTree(run());
    const steps = buildSteps(tree);
    const at7 = steps.rowsAt(tree, 7);
    expect(at7.ids).toEqual([1, 2, 3, 4, 5]);
    expect(at7.levels).toEqual([0, 1, 1, 2, 2]);
    for (const [row, id] of at7.ids.entries()) expect(at7.index.get(id)).toBe(row);
    expect(at7.index.has(6)).toBe(false);
    expect(at7.index.get(99)).toBeUndefined();
    // A collapsed cell keeps its row and hides its calls; the rows at the last step are those of flatten.
    tree.collapsed.add(3);
    expect(steps.rowsAt(tree, 7).ids).toEqual([1, 2, 3]);
    expect(steps.rowsAt(tree, steps.count).ids).toEqual(flatten(tree).ids);
    expect(steps.rowsAt(tree, 0).ids).toEqual([]);
  });

  it('never shows a node before its parent, whatever the clocks say', () => {
    // The child's clock says it started before its parent: it waits for the parent's start.
    const nodes = [node(1, null, 0, { kind: 'rlm', startedAt: 50, endedAt: 100 }), call(2, 1, 0, 10, 60, 0.01)];
    const steps = buildSteps(buildTree(nodes));
    expect(steps.startStepOf(2)).toBeGreaterThanOrEqual(steps.startStepOf(1) as number);
    for (let k = 0; k <= steps.count; k++) if (steps.startedBy(2, k)) expect(steps.startedBy(1, k)).toBe(true);
  });

  it('filters the rows at a step, follows new nodes there, and a 10,000-deep chain does not overflow', () => {
    const model = createModel(runDetail(), run());
    model.step = 4;
    model.rowsDirty = true;
    refreshRows(model);
    expect(model.rows.ids).toEqual([1, 2, 3]);
    // A live node arriving while at a step: the rows are filtered again, not appended to.
    applyEvents(model, [{ type: 'run.nodeAdded', runId: 'run-1', node: call(7, 1, 3, 200, null, null) }]);
    refreshRows(model);
    expect(model.rows.ids).toEqual([1, 2, 3]);
    model.step = null;
    model.rowsDirty = true;
    refreshRows(model);
    expect(model.rows.ids).toEqual([1, 2, 3, 4, 5, 6, 7]);

    const deep = chain(10_000).map((n, i) => ({ ...n, startedAt: i, endedAt: 20_000 - i }));
    const steps = buildSteps(buildTree(deep));
    expect(steps.count).toBe(20_000);
    expect(steps.nodeAt(10_000, 10_000)?.status).toBe('running');
    expect(steps.nodeAt(1, 20_000)?.status).toBe('completed');
  });
});
