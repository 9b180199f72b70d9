import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type NodePayload } from '../../shared/domain/node';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { RlmError } from '../../shared/errors';
import { decodeNodeIndex, NODE_INDEX_ENCODING } from '../../shared/nodeIndex';
import { RunRepository, type NewNode } from './runRepository';
import { newRun, tempDatabase, thrown } from '../testing/tempDatabase';

function store() {
  const { db } = tempDatabase();
  return { db, store: new RunRepository(db) };
}

function node(id: number, parentId: number | null, kind: NewNode['kind'], extra: Partial<NewNode> = {}): NewNode {
  return { id, parentId, kind, depth: 0, seq: 0, startedAt: 1_000 + id, label: `${kind} ${id}`, ...extra };
}

function code(fn: () => unknown): string {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(RlmError);
  return (error as RlmError).code;
}

const usage = (costUsd: number | null, inputTokens: number, outputTokens: number, cachedTokens = 0) => ({
  inputTokens,
  outputTokens,
  cachedTokens,
  costUsd,
  estimated: false,
});

describe('RunRepository', () => {
  it('creates a run and reads it back as a running detail', () => {
    const { store: s } = store();
    const limits = { ...DEFAULT_LIMITS, maxCalls: 7, maxCostUsd: 1.5 };
    s.createRun(newRun({ runId: 'r1', limits, createdAt: 5_000 }));
    s.addInput('r1', 1, { name: 'b.txt', bytes: 2, hash: 'hb' });
    s.addInput('r1', 0, { name: 'a.txt', bytes: 1, hash: 'ha' });
    expect(s.getRun('r1')).toEqual({
      runId: 'r1',
      status: 'running',
      answer: null,
      stopReason: null,
      error: null,
      query: 'What is in the documents?',
      rootModel: 'gpt-root',
      subModel: 'gpt-sub',
      createdAt: 5_000,
      endedAt: null,
      durationMs: null,
      origin: 'native',
      source: null,
      costUsd: 0,
      pricedCostUsd: 0,
      unpricedCalls: 0,
      inputTokens: 0,
      outputTokens: 0,
      cachedTokens: 0,
      modelCalls: 0,
      iterations: 0,
      maxDepthReached: 0,
      forkedFrom: null,
      cachedCalls: 0,
      signals: [],
      queryChars: 25,
      answerChars: null,
      errorChars: null,
      limits,
      dedupeSubcalls: false,
      partBytes: 2 ** 29 - 24, // newRun() names none: a run recorded before part sizes were
      baseUrl: 'https://api.example.com/v1',
      inputs: [
        { name: 'a.txt', bytes: 1, hash: 'ha' },
        { name: 'b.txt', bytes: 2, hash: 'hb' },
      ],
      seed: 42,
      // A run the engine creates is recorded for exact replay (migration 005).
      recording: 1,
      replayable: true,
      replayableWhy: null,
    });
    expect(s.getRun('missing')).toBeNull();
  });

  it('keeps whether a run deduplicated its sub-calls beside its limits, which stay exactly the limits', () => {
    const { store: s, db } = store();
    const limits = { ...DEFAULT_LIMITS, maxCalls: 7 };
    s.createRun(newRun({ runId: 'on', limits, dedupeSubcalls: true }));
    s.createRun(newRun({ runId: 'off', limits }));
    expect(s.getRun('on')).toMatchObject({ dedupeSubcalls: true, limits });
    expect(Object.keys(s.getRun('on')!.limits).sort()).toEqual(Object.keys(DEFAULT_LIMITS).sort());
    expect(s.getRun('off')).toMatchObject({ dedupeSubcalls: false, limits });
    // A damaged row: anything but true is off, and stray keys never reach the limits.
    db.prepare(`UPDATE runs SET limits_json = '{"dedupeSubcalls":"yes","maxCalls":9,"junk":1}' WHERE id = 'on'`).run();
    const damaged = s.getRun('on')!;
    expect(damaged.dedupeSubcalls).toBe(false);
    expect(damaged.limits).toEqual({ ...DEFAULT_LIMITS, maxCalls: 9 });
  });

  it('adds a node with its payload, and the index comes back without it', () => {
    const { store: s } = store();
    s.createRun(newRun());
    const payload: NodePayload = { query: 'q', messages: [{ role: 'system', content: 'sys' }], seed: 3 };
    const added = s.addNode('run-1', node(1, null, 'rlm'), payload);
    const llm = s.addNode('run-1', node(2, 1, 'llm', { model: 'gpt-root', purpose: 'turn', seq: 0, depth: 0 }), {
      prompt: [{ role: 'user', content: 'hi' }],
    });
    expect(added).toEqual({
      id: 1,
      parentId: null,
      kind: 'rlm',
      depth: 0,
      seq: 0,
      status: 'running',
      startedAt: 1_001,
      endedAt: null,
      label: 'rlm 1',
      model: null,
      purpose: null,
      inputTokens: null,
      outputTokens: null,
      cachedTokens: null,
      costUsd: null,
      usageEstimated: false,
      cached: false,
      subtree: { pricedCostUsd: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, modelCalls: 0 },
    });
    expect(s.getNodes('run-1')).toEqual([added, llm]);
    expect(s.getPayload('run-1', 1)).toEqual(payload);
    expect(s.getPayload('run-1', 99)).toBeNull();
  });

  it('refuses nodes for a run that does not exist, and duplicate node ids', () => {
    const { store: s } = store();
    expect(code(() => s.addNode('nope', node(1, null, 'rlm'), {}))).toBe('NOT_FOUND');
    expect(code(() => s.addInput('nope', 0, { name: 'a', bytes: 0, hash: 'h' }))).toBe('NOT_FOUND');
    s.createRun(newRun());
    s.addNode('run-1', node(1, null, 'rlm'), {});
    expect(code(() => s.addNode('run-1', node(1, null, 'rlm'), {}))).toBe('STORE_FAILED');
  });

  it('updates only the fields given, and replaces the payload when one is given', () => {
    const { store: s } = store();
    s.createRun(newRun());
    s.addNode('run-1', node(1, null, 'cell', { model: 'm' }), { code: 'print(1)' });

    const ended = s.updateNode('run-1', 1, { status: 'completed', endedAt: 2_000 });
    expect(ended).toMatchObject({ status: 'completed', endedAt: 2_000, label: 'cell 1', model: 'm' });
    expect(s.getPayload('run-1', 1)).toEqual({ code: 'print(1)' });

    const relabelled = s.updateNode('run-1', 1, { label: 'print', model: null, endedAt: null }, { code: 'print(1)', output: '1' });
    expect(relabelled).toMatchObject({ status: 'completed', endedAt: null, label: 'print', model: null });
    expect(s.getPayload('run-1', 1)).toEqual({ code: 'print(1)', output: '1' });
    expect(s.getNodes('run-1')).toEqual([relabelled]);

    expect(code(() => s.updateNode('run-1', 2, { status: 'failed' }))).toBe('NOT_FOUND');
  });

  it('finishes a call in one commit: usage rolled up, status, end time and payload', () => {
    const { store: s } = store();
    s.createRun(newRun());
    s.addNode('run-1', node(1, null, 'rlm'), {});
    s.addNode('run-1', node(2, 1, 'cell'), {});
    s.addNode('run-1', node(3, 2, 'llm', { purpose: 'sub' }), { prompt: [{ role: 'user', content: 'p' }] });
    const done = s.finishCall('run-1', 3, usage(0.5, 30, 3), { status: 'completed', endedAt: 9_000, label: 'reply' }, { text: 'reply' });
    expect(done.node).toMatchObject({ id: 3, status: 'completed', endedAt: 9_000, label: 'reply', inputTokens: 30, costUsd: 0.5 });
    expect(done.ancestors.map((a) => [a.id, a.subtree.modelCalls])).toEqual([[2, 1], [1, 1]]);
    expect(s.getPayload('run-1', 3)).toEqual({ text: 'reply' });
    expect(s.getRun('run-1')).toMatchObject({ modelCalls: 1, costUsd: 0.5 });
    // A node that does not exist changes nothing: the usage is not counted either.
    expect(code(() => s.finishCall('run-1', 99, usage(1, 1, 1), { status: 'completed' }, {}))).toBe('NOT_FOUND');
    expect(s.getRun('run-1')).toMatchObject({ modelCalls: 1 });
  });

  it('rolls usage up through every ancestor and into the run; an unpriced call makes the cost unknown', () => {
    const { store: s } = store();
    s.createRun(newRun());
    // 1 rlm ─┬─ 2 llm (turn, priced)
    //        └─ 3 cell ─┬─ 4 rlm ── 5 llm (turn, no price)
    //                   └─ 6 llm (sub, priced)
    s.addNode('run-1', node(1, null, 'rlm'), {});
    s.addNode('run-1', node(2, 1, 'llm', { purpose: 'turn' }), {});
    s.addNode('run-1', node(3, 1, 'cell', { seq: 1 }), {});
    s.addNode('run-1', node(4, 3, 'rlm', { depth: 1 }), {});
    s.addNode('run-1', node(5, 4, 'llm', { depth: 1, purpose: 'turn' }), {});
    s.addNode('run-1', node(6, 3, 'llm', { purpose: 'sub', seq: 1 }), {});

    const first = s.recordUsage('run-1', 2, usage(0.01, 100, 10, 40));
    expect(first.node).toMatchObject({ id: 2, inputTokens: 100, outputTokens: 10, cachedTokens: 40, costUsd: 0.01 });
    expect(first.ancestors.map((a) => a.id)).toEqual([1]);

    const unpriced = s.recordUsage('run-1', 5, { ...usage(null, 50, 5), estimated: true });
    expect(unpriced.node).toMatchObject({ id: 5, costUsd: null, usageEstimated: true });
    expect(unpriced.node.subtree).toEqual({ pricedCostUsd: 0, unpricedCalls: 1, inputTokens: 50, outputTokens: 5, modelCalls: 1 });
    expect(unpriced.ancestors.map((a) => a.id)).toEqual([4, 3, 1]);

    const last = s.recordUsage('run-1', 6, usage(0.02, 20, 2));
    expect(last.ancestors.map((a) => a.id)).toEqual([3, 1]);

    const byId = new Map(s.getNodes('run-1').map((n) => [n.id, n]));
    expect(byId.get(1)?.subtree).toEqual({
      pricedCostUsd: expect.closeTo(0.03, 10),
      unpricedCalls: 1,
      inputTokens: 170,
      outputTokens: 17,
      modelCalls: 3,
    });
    expect(byId.get(3)?.subtree).toEqual({ pricedCostUsd: 0.02, unpricedCalls: 1, inputTokens: 70, outputTokens: 7, modelCalls: 2 });
    expect(byId.get(4)?.subtree).toEqual(byId.get(5)?.subtree);
    expect(byId.get(2)?.subtree).toEqual({ pricedCostUsd: 0.01, unpricedCalls: 0, inputTokens: 100, outputTokens: 10, modelCalls: 1 });
    // What recordUsage returned is what is stored.
    expect(last.ancestors).toEqual([byId.get(3), byId.get(1)]);
    expect(byId.get(3)?.costUsd).toBeNull(); // a cell has no cost of its own

    s.bumpRun('run-1', { iterations: 2, depth: 1 });
    s.bumpRun('run-1', { iterations: 1, depth: 0 });
    expect(s.getRun('run-1')).toMatchObject({
      costUsd: null,
      pricedCostUsd: expect.closeTo(0.03, 10),
      unpricedCalls: 1,
      inputTokens: 170,
      outputTokens: 17,
      cachedTokens: 40,
      modelCalls: 3,
      iterations: 3,
      maxDepthReached: 1,
    });
    expect(code(() => s.recordUsage('run-1', 42, usage(0, 1, 1)))).toBe('NOT_FOUND');
    // A failed recordUsage changed nothing.
    expect(s.getRun('run-1')?.modelCalls).toBe(3);
  });

  it('refuses values of the wrong type instead of storing them (tables are STRICT)', () => {
    const { store: s } = store();
    s.createRun(newRun());
    s.addNode('run-1', node(1, null, 'llm'), {});
    expect(code(() => s.recordUsage('run-1', 1, usage(0.1, 1.5, 1)))).toBe('STORE_FAILED');
    expect(s.getRun('run-1')?.modelCalls).toBe(0);
  });

  it('reports the cost of a run whose calls were all priced', () => {
    const { store: s } = store();
    s.createRun(newRun());
    s.addNode('run-1', node(1, null, 'rlm'), {});
    s.addNode('run-1', node(2, 1, 'llm'), {});
    s.recordUsage('run-1', 2, usage(0.25, 1, 1));
    expect(s.getRun('run-1')?.costUsd).toBe(0.25);
  });

  it('finishes a run with its answer and duration, and sets status and heartbeat', () => {
    const { db, store: s } = store();
    s.createRun(newRun({ createdAt: 1_000 }));
    s.setRunStatus('run-1', 'paused');
    expect(s.getRun('run-1')?.status).toBe('paused');
    s.heartbeat('run-1', 1_500);
    expect(db.prepare(`SELECT heartbeat_at FROM runs`).get()).toEqual({ heartbeat_at: 1_500 });
    const summary = s.finishRun('run-1', { status: 'stopped', endedAt: 4_000, answer: null, stopReason: 'user', error: null });
    expect(summary).toMatchObject({ status: 'stopped', endedAt: 4_000, durationMs: 3_000, stopReason: 'user', answer: null });
    expect(s.listRuns({ limit: 10, offset: 0 })).toEqual([summary]);
    for (const fn of [
      () => s.setRunStatus('x', 'failed'),
      () => s.heartbeat('x', 1),
      () => s.bumpRun('x', { iterations: 1 }),
      () => s.finishRun('x', { status: 'failed', endedAt: 1, answer: null, stopReason: 'error', error: 'e' }),
    ]) {
      expect(code(fn)).toBe('NOT_FOUND');
    }
  });

  it('marks runs interrupted only when their owner is gone, ending them at their last activity', () => {
    const { store: s } = store();
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    s.createRun(newRun({ runId: 'live', ownerPid: process.pid }));
    s.createRun(newRun({ runId: 'dead', ownerPid: deadPid, createdAt: 1_000 }));
    s.createRun(newRun({ runId: 'dead-paused', ownerPid: deadPid, createdAt: 1_000 }));
    s.createRun(newRun({ runId: 'dead-finished', ownerPid: deadPid }));
    s.finishRun('dead-finished', { status: 'completed', endedAt: 2_000, answer: 'a', stopReason: null, error: null });
    s.setRunStatus('dead-paused', 'paused');

    s.addNode('dead', node(1, null, 'rlm', { startedAt: 1_010 }), {});
    s.addNode('dead', node(2, 1, 'llm', { startedAt: 1_020 }), {});
    s.updateNode('dead', 2, { status: 'completed', endedAt: 1_500 });
    s.addNode('dead', node(3, 1, 'cell', { startedAt: 1_400 }), {});
    s.heartbeat('dead', 1_450);

    const asked: unknown[] = [];
    const alive = (pid: number, host: string, heartbeatAt: number | null) => {
      asked.push([pid, host, heartbeatAt]);
      return pid === process.pid;
    };
    expect(s.markInterrupted(alive, 10_000).sort()).toEqual(['dead', 'dead-paused']);
    expect(asked).toContainEqual([deadPid, 'this-host', 1_450]);

    expect(s.getRun('live')?.status).toBe('running');
    expect(s.getRun('dead-finished')).toMatchObject({ status: 'completed', endedAt: 2_000 });
    expect(s.getRun('dead')).toMatchObject({ status: 'interrupted', endedAt: 1_500, durationMs: 500 });
    expect(s.getRun('dead-paused')).toMatchObject({ status: 'interrupted', endedAt: 1_000 });
    expect(s.getNodes('dead').map((n) => [n.id, n.status, n.endedAt])).toEqual([
      [1, 'interrupted', 1_500],
      [2, 'completed', 1_500],
      [3, 'interrupted', 1_500],
    ]);
    // Already marked: nothing more to do.
    expect(s.markInterrupted(() => false, 10_000)).toEqual(['live']);
  });

  it('never ends an interrupted run after now', () => {
    const { store: s } = store();
    s.createRun(newRun({ createdAt: 1_000 }));
    s.heartbeat('run-1', 9_000);
    s.markInterrupted(() => false, 5_000);
    expect(s.getRun('run-1')?.endedAt).toBe(5_000);
  });

  it('lists runs newest first, by page, and finds them by query, id or model', () => {
    const { store: s } = store();
    s.createRun(newRun({ runId: 'a-1', createdAt: 1, query: 'Summarise the CONTRACTS' }));
    s.createRun(newRun({ runId: 'b-2', createdAt: 3, query: 'count words', rootModel: 'claude-x' }));
    s.createRun(newRun({ runId: 'c-3', createdAt: 2, query: 'find 100% of names', subModel: 'tiny-sub' }));
    const ids = (search?: string, limit = 10, offset = 0) => s.listRuns({ limit, offset, search }).map((r) => r.runId);
    expect(ids()).toEqual(['b-2', 'c-3', 'a-1']);
    expect(ids(undefined, 2, 1)).toEqual(['c-3', 'a-1']);
    expect(ids('contracts')).toEqual(['a-1']);
    expect(ids('C-3')).toEqual(['c-3']);
    expect(ids('claude')).toEqual(['b-2']);
    expect(ids('TINY')).toEqual(['c-3']);
    expect(ids('100%')).toEqual(['c-3']); // no LIKE wildcards
    expect(ids('_')).toEqual([]);
    expect(ids('  ')).toEqual(['b-2', 'c-3', 'a-1']);
  });

  it('reads a damaged payload as an error instead of throwing, and damaged limits as defaults', () => {
    const { db, store: s } = store();
    s.createRun(newRun());
    s.addNode('run-1', node(1, null, 'rlm'), { query: 'q' });
    s.addNode('run-1', node(2, 1, 'llm'), { text: 't' });
    s.addNode('run-1', node(3, 1, 'llm'), { text: 't' });
    db.prepare(`UPDATE node_payloads SET body = '{"text": "cut off' WHERE node_id = 1`).run();
    db.prepare(`UPDATE node_payloads SET body = '[1, 2]' WHERE node_id = 2`).run();
    db.prepare(`UPDATE node_payloads SET body = 'null' WHERE node_id = 3`).run();
    db.prepare(`UPDATE runs SET limits_json = '{"maxCalls": 5, "broken'`).run();
    expect(s.getPayload('run-1', 1)?.error).toMatch(/^payload unreadable: /);
    expect(s.getPayload('run-1', 2)).toEqual({ error: 'payload unreadable: not a JSON object' });
    expect(s.getPayload('run-1', 3)).toEqual({ error: 'payload unreadable: not a JSON object' });
    expect(s.getRun('run-1')?.limits).toEqual(DEFAULT_LIMITS);
  });

  it('loads the index of 100,000 nodes in creation order', () => {
    const { db, store: s } = store();
    s.createRun(newRun());
    const count = 100_000;
    // One outer transaction only to keep the test quick; each addNode nests as a savepoint.
    db.transaction(() => {
      s.addNode('run-1', node(1, null, 'rlm'), { query: 'q' });
      for (let id = 2; id <= count; id++) {
        const parentId = id <= 1_000 ? 1 : (id % 999) + 2;
        s.addNode('run-1', node(id, parentId, id % 2 ? 'llm' : 'cell', { seq: id, depth: 1 }), { text: `reply ${id}` });
      }
    })();
    s.recordUsage('run-1', count, usage(0.5, 10, 1));
    const nodes = s.getNodes('run-1');
    expect(nodes).toHaveLength(count);
    expect(nodes[0]).toMatchObject({ id: 1, parentId: null, kind: 'rlm', label: 'rlm 1' });
    expect(nodes[49_999]).toMatchObject({ id: 50_000, parentId: (50_000 % 999) + 2, kind: 'cell', seq: 50_000, depth: 1 });
    expect(nodes[count - 1]).toMatchObject({ id: count, kind: 'cell', costUsd: 0.5 });
    expect(nodes[0]?.subtree.modelCalls).toBe(1);
    expect(s.getPayload('run-1', 77_777)).toEqual({ text: 'reply 77777' });
  });

  it('returns nodes in id order even when they were stored out of order', () => {
    const { store: s } = store();
    s.createRun(newRun());
    for (const id of [3, 1, 5, 2, 4]) s.addNode('run-1', node(id, id === 1 ? null : 1, 'llm'), {});
    expect(s.getNodes('run-1').map((n) => n.id)).toEqual([1, 2, 3, 4, 5]);
    expect(s.getNodes('no-such-run')).toEqual([]);
  });

  it('keeps where a fork comes from, its cached calls and which of its nodes were answered from the recording', () => {
    const { store: s } = store();
    s.createRun(newRun({ runId: 'parent' }));
    s.createRun(newRun({ runId: 'fork', forkedFrom: { runId: 'parent', nodeId: 7 } }));
    s.createRun(newRun({ runId: 'rerun', forkedFrom: { runId: 'parent', nodeId: null } }));
    s.addNode('fork', node(1, null, 'rlm'), {});
    const cached = s.addNode('fork', node(2, 1, 'llm', { cached: true }), { text: 'from the recording' });
    const live = s.addNode('fork', node(3, 1, 'llm', { cached: false }), { forkEdit: { nodeId: 3 } });
    expect(cached.cached).toBe(true);
    expect(live.cached).toBe(false);
    s.addCachedCall('fork');
    s.addCachedCall('fork');
    s.recordUsage('fork', 3, usage(0.25, 10, 1));
    // Ending the cached node or rolling usage past it keeps its mark.
    expect(s.updateNode('fork', 2, { status: 'completed', endedAt: 2_000 }).cached).toBe(true);
    expect(s.getNodes('fork').map((n) => [n.id, n.cached])).toEqual([[1, false], [2, true], [3, false]]);
    const page = s.getNodeIndexPage('fork', 1, 1);
    expect(decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, ...page }).map((n) => n.cached)).toEqual([true]);
    expect(s.getPayload('fork', 3)).toEqual({ forkEdit: { nodeId: 3 } });

    expect(s.getRun('fork')).toMatchObject({ forkedFrom: { runId: 'parent', nodeId: 7 }, cachedCalls: 2, modelCalls: 1, costUsd: 0.25 });
    expect(s.getRun('rerun')).toMatchObject({ forkedFrom: { runId: 'parent', nodeId: null }, cachedCalls: 0 });
    expect(s.getRun('parent')).toMatchObject({ forkedFrom: null, cachedCalls: 0 });
    const listed = s.listRuns({ limit: 10, offset: 0 });
    expect(listed.find((r) => r.runId === 'fork')).toMatchObject({ forkedFrom: { runId: 'parent', nodeId: 7 }, cachedCalls: 2 });
    expect(s.finishRun('fork', { status: 'completed', endedAt: 9_000, answer: 'a', stopReason: null, error: null })).toMatchObject({ forkedFrom: { runId: 'parent', nodeId: 7 }, cachedCalls: 2 });
    expect(code(() => s.addCachedCall('nope'))).toBe('NOT_FOUND');
  });

  it('keeps a fork when its parent is deleted: it names a run that is gone', () => {
    const { db, store: s } = store();
    s.createRun(newRun({ runId: 'parent' }));
    s.createRun(newRun({ runId: 'fork', forkedFrom: { runId: 'parent', nodeId: 1 } }));
    db.prepare(`DELETE FROM runs WHERE id = 'parent'`).run();
    expect(s.getRun('parent')).toBeNull();
    expect(s.getRun('fork')).toMatchObject({ forkedFrom: { runId: 'parent', nodeId: 1 } });
  });
});
