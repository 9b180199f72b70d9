import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { RlmError } from '../../shared/errors';
import { RunRepository, type WholeRun, type WholeRunNode } from './runRepository';
import { rollUpSubtrees } from './subtreeRollUp';
import { tempDatabase, thrown } from '../testing/tempDatabase';

function node(id: number, parentId: number | null, kind: WholeRunNode['kind'], extra: Partial<WholeRunNode> = {}): WholeRunNode {
  return {
    id,
    parentId,
    kind,
    depth: 0,
    seq: 0,
    status: 'completed',
    startedAt: 1_000 + id,
    endedAt: 2_000 + id,
    label: `${kind} ${id}`,
    model: kind === 'cell' ? null : 'm',
    purpose: kind === 'llm' ? 'turn' : null,
    inputTokens: null,
    outputTokens: null,
    cachedTokens: null,
    costUsd: null,
    usageEstimated: false,
    payload: { text: `payload of ${id}` },
    ...extra,
  };
}

const call = (id: number, parentId: number, inputTokens: number, outputTokens: number, costUsd: number | null, extra: Partial<WholeRunNode> = {}) =>
  node(id, parentId, 'llm', { inputTokens, outputTokens, cachedTokens: 1, costUsd, ...extra });

function wholeRun(overrides: Partial<WholeRun> = {}): WholeRun {
  return {
    runId: 'imp-1',
    origin: 'imported',
    source: 'log.jsonl',
    createdAt: 1_000,
    endedAt: 9_000,
    status: 'completed',
    query: 'q?',
    rootModel: 'm',
    subModel: 's',
    baseUrl: 'rlms:openai',
    limits: { ...DEFAULT_LIMITS, maxIterations: 3 },
    seed: 0,
    answer: '42',
    stopReason: null,
    error: null,
    iterations: 3,
    maxDepthReached: 1,
    // rlm 1 > llm 2, cell 3 > (llm 4, rlm 5 > (llm 6, cell 7 > llm 8))
    nodes: [
      node(1, null, 'rlm', { payload: { query: 'q?', answer: '42' } }),
      call(2, 1, 100, 10, 0.5),
      node(3, 1, 'cell', { seq: 1, payload: { code: 'print(1)', output: '1\n', language: 'python' } }),
      call(4, 3, 20, 2, 0.25, { purpose: 'sub' }),
      node(5, 3, 'rlm', { depth: 1, seq: 1 }),
      call(6, 5, 7, 3, null, { depth: 1 }),
      node(7, 5, 'cell', { depth: 1, seq: 1 }),
      call(8, 7, 1, 1, 0.125, { depth: 1, purpose: 'sub' }),
    ],
    ...overrides,
  };
}

function store() {
  const { db } = tempDatabase();
  return { db, store: new RunRepository(db) };
}

describe('RunRepository.insertWholeRun', () => {
  it('writes the run, every node with its payload, and totals rolled up from the tree', () => {
    const { store: s } = store();
    const run = wholeRun();
    const summary = s.insertWholeRun(run);
    expect(summary).toMatchObject({
      runId: 'imp-1',
      status: 'completed',
      origin: 'imported',
      source: 'log.jsonl',
      // An imported log holds no run-away signals: RLMScope never watched it run.
      signals: [],
      answer: '42',
      // One call of unknown price makes the whole cost unknown, never the sum of the rest.
      costUsd: null,
      pricedCostUsd: 0.875,
      unpricedCalls: 1,
      inputTokens: 128,
      outputTokens: 16,
      cachedTokens: 4,
      modelCalls: 4,
      iterations: 3,
      maxDepthReached: 1,
      durationMs: 8_000,
    });
    expect(s.getRun('imp-1')?.limits.maxIterations).toBe(3);
    expect(s.listRuns({ limit: 10, offset: 0 }).map((r) => [r.runId, r.origin, r.source])).toEqual([['imp-1', 'imported', 'log.jsonl']]);

    const rows = s.getNodes('imp-1');
    const expected = rollUpSubtrees(run.nodes);
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const row of rows) expect(row.subtree).toEqual(expected.get(row.id));
    expect(rows[4]?.subtree).toEqual({ pricedCostUsd: 0.125, unpricedCalls: 1, inputTokens: 8, outputTokens: 4, modelCalls: 2 });
    expect(rows[1]).toMatchObject({ parentId: 1, kind: 'llm', inputTokens: 100, outputTokens: 10, cachedTokens: 1, costUsd: 0.5, endedAt: 2_002 });
    expect(s.getPayload('imp-1', 3)).toEqual({ code: 'print(1)', output: '1\n', language: 'python' });
  });

  it('writes all of a run or none of it', () => {
    const { db, store: s } = store();
    // STRICT refuses a fraction in an INTEGER column: the last node fails after seven were written.
    const bad = wholeRun({ nodes: [...wholeRun().nodes.slice(0, 7), call(8, 7, 1, 1, 0.1, { startedAt: 1.5 })] });
    expect(thrown(() => s.insertWholeRun(bad))).toBeInstanceOf(RlmError);
    const count = (table: string) => db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
    expect([count('runs').n, count('nodes').n, count('node_payloads').n]).toEqual([0, 0, 0]);
  });

  it('refuses a taken run id and nodes out of order, changing nothing', () => {
    const { store: s } = store();
    s.insertWholeRun(wholeRun());
    expect((thrown(() => s.insertWholeRun(wholeRun({ answer: 'other' }))) as RlmError).code).toBe('STORE_FAILED');
    expect(s.getRun('imp-1')?.answer).toBe('42');
    const outOfOrder = wholeRun({ runId: 'imp-2', nodes: [node(2, 1, 'llm'), node(1, null, 'rlm')] });
    expect((thrown(() => s.insertWholeRun(outOfOrder)) as RlmError).message).toMatch(/node 2 comes before its parent 1/);
    expect(s.getRun('imp-2')).toBeNull();
  });

  it('keeps a fork\'s origin, its cached calls, and its cached nodes, which count as no call', () => {
    const { store: s } = store();
    const nodes = wholeRun().nodes.map((n) => (n.id === 8 ? { ...n, inputTokens: null, outputTokens: null, cachedTokens: null, costUsd: null, cached: true } : n));
    const summary = s.insertWholeRun(wholeRun({ runId: 'fork-1', origin: 'native', source: null, forkedFrom: { runId: 'gone', nodeId: 6 }, cachedCalls: 1, nodes }));
    expect(summary).toMatchObject({ forkedFrom: { runId: 'gone', nodeId: 6 }, cachedCalls: 1, modelCalls: 3, pricedCostUsd: 0.75 });
    expect(s.getNodes('fork-1').filter((n) => n.cached).map((n) => n.id)).toEqual([8]);
    expect(s.insertWholeRun(wholeRun({ runId: 'plain' }))).toMatchObject({ forkedFrom: null, cachedCalls: 0 });
  });
});
