// finishCalls writes a burst of model calls that came back in one go, rolling their usage up once
// per parent: what it stores must be exactly what finishCall, one call at a time, stores.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { closeDatabase, openDatabase } from './database';
import { RunRepository } from './runRepository';

function storeWithCalls() {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'rlm-finish-')), 'runs.db'));
  const store = new RunRepository(db);
  store.createRun({ runId: 'r', createdAt: 1, query: 'q', rootModel: 'root', subModel: 'sub', baseUrl: 'http://127.0.0.1', limits: DEFAULT_LIMITS, seed: 1, ownerPid: process.pid, ownerHost: 'test' });
  // rlm 1 → cells 2 and 3 → calls 4–9 under cell 2, calls 10–12 under cell 3
  store.addNode('r', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1, label: 'rlm' }, { query: 'q' });
  store.addNode('r', { id: 2, parentId: 1, kind: 'cell', depth: 0, seq: 0, startedAt: 1, label: 'cell' }, { code: 'a' });
  store.addNode('r', { id: 3, parentId: 1, kind: 'cell', depth: 0, seq: 1, startedAt: 1, label: 'cell' }, { code: 'b' });
  for (let id = 4; id <= 12; id++) {
    store.addNode('r', { id, parentId: id <= 9 ? 2 : 3, kind: 'llm', depth: 0, seq: id, startedAt: 2, label: `call ${id}`, model: 'sub', purpose: 'sub' }, { prompt: [{ role: 'user', content: `part ${id}` }] });
  }
  return { db, store };
}

const calls = Array.from({ length: 9 }, (_, i) => {
  const id = i + 4;
  // One call of unknown price, one estimated: both roll up as finishCall rolls them.
  const costUsd = id === 7 ? null : id * 0.001;
  return { id, usage: { inputTokens: 10 + id, outputTokens: id, cachedTokens: id % 3, costUsd, estimated: id === 11 }, patch: { status: 'completed' as const, endedAt: 100 + id }, payload: { prompt: [{ role: 'user' as const, content: `part ${id}` }], text: `answer ${id}` } };
});

describe('finishCalls', () => {
  it('stores what finishCall one call at a time stores: nodes, payloads, roll-ups and run totals', () => {
    const one = storeWithCalls();
    const many = storeWithCalls();
    for (const call of calls) one.store.finishCall('r', call.id, call.usage, call.patch, call.payload);
    const { nodes, ancestors } = many.store.finishCalls('r', calls);
    expect(many.store.getNodes('r')).toEqual(one.store.getNodes('r'));
    expect(many.store.getRun('r')).toEqual(one.store.getRun('r'));
    expect(many.store.getPayload('r', 8)).toEqual({ prompt: calls[4]?.payload.prompt, text: 'answer 8' });
    // What it returned is what is stored: each call once, each ancestor once at its last state.
    expect(nodes).toEqual(calls.map((call) => one.store.getNode('r', call.id)));
    expect(ancestors).toEqual([3, 2, 1].map((id) => one.store.getNode('r', id)));
    closeDatabase(one.db);
    closeDatabase(many.db);
  });

  it('stores nothing of the burst when one of its calls is not there', () => {
    const { db, store } = storeWithCalls();
    const before = { nodes: store.getNodes('r'), run: store.getRun('r') };
    expect(() => store.finishCalls('r', [calls[0]!, { ...calls[1]!, id: 99 }])).toThrow(/99/);
    expect({ nodes: store.getNodes('r'), run: store.getRun('r') }).toEqual(before);
    closeDatabase(db);
  });
});
