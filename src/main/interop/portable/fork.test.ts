// A fork (issue 12) in a portable file: where it comes from, its cached calls and its cached
// nodes travel with it; the file of any other run holds none of it, so an RLMScope from before
// forks still reads it, and a file from before forks still imports.
import { gunzipSync, gzipSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { restorePortableRun } from '../../store/portableRestore';
import { RunRepository } from '../../store/runRepository';
import { newRun, tempDatabase } from '../../testing/tempDatabase';
import { readPortable } from './index';
import { exported } from '../../testing/portableFile';

async function restore(file: Buffer): Promise<{ store: RunRepository; runId: string }> {
  const { db } = tempDatabase();
  const { runId } = await restorePortableRun(db, readPortable((async function* () { yield file; })()), { keepIdIfFree: true });
  return { store: new RunRepository(db), runId };
}

/** The file with each record changed by `edit` (a record it returns null for is left out). */
function rewritten(file: Buffer, edit: (record: Record<string, unknown>) => Record<string, unknown> | null): Buffer {
  const lines = gunzipSync(file).toString('utf8').split('\n').filter((line) => line !== '');
  const kept = lines.map((line) => edit(JSON.parse(line) as Record<string, unknown>)).filter((record) => record !== null);
  return gzipSync(kept.map((record) => `${JSON.stringify(record)}\n`).join(''));
}

function makeFork(): { db: Database.Database; store: RunRepository } {
  const { db } = tempDatabase();
  const store = new RunRepository(db);
  store.createRun(newRun({ runId: 'fork', forkedFrom: { runId: 'parent-1', nodeId: 2 } }));
  store.addNode('fork', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1_010, label: 'root' }, { query: 'q' });
  store.addNode('fork', { id: 2, parentId: 1, kind: 'llm', depth: 0, seq: 0, startedAt: 1_020, label: 'turn', purpose: 'turn', cached: true }, { text: 'recorded' });
  store.addCachedCall('fork');
  store.updateNode('fork', 2, { status: 'completed', endedAt: 1_030 });
  store.addNode('fork', { id: 3, parentId: 1, kind: 'cell', depth: 0, seq: 1, startedAt: 1_040, label: 'edited' }, { code: 'print(2)', forkEdit: { nodeId: 3 } });
  store.updateNode('fork', 3, { status: 'completed', endedAt: 1_050 });
  store.finishRun('fork', { status: 'completed', endedAt: 2_000, answer: '2', stopReason: null, error: null });
  return { db, store };
}

describe('a fork in a portable file', () => {
  it('restores where it comes from, its cached calls, its cached nodes and its edit', async () => {
    const { db, store } = makeFork();
    const { store: restored, runId } = await restore(await exported(db, 'fork'));
    expect(runId).toBe('fork');
    expect(restored.getRun('fork')).toEqual(store.getRun('fork'));
    expect(restored.getRun('fork')).toMatchObject({ forkedFrom: { runId: 'parent-1', nodeId: 2 }, cachedCalls: 1 });
    expect(restored.getNodes('fork')).toEqual(store.getNodes('fork'));
    expect(restored.getNodes('fork').map((n) => n.cached)).toEqual([false, true, false]);
    expect(restored.getPayload('fork', 3)).toEqual({ code: 'print(2)', forkEdit: { nodeId: 3 } });
  });

  it('writes none of it for any other run, and a file without it imports as no fork', async () => {
    const { db } = tempDatabase();
    const store = new RunRepository(db);
    store.createRun(newRun({ runId: 'plain' }));
    store.addNode('plain', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1_010, label: 'root' }, { query: 'q' });
    store.finishRun('plain', { status: 'completed', endedAt: 2_000, answer: 'a', stopReason: null, error: null });
    const file = await exported(db, 'plain');
    const text = gunzipSync(file).toString('utf8');
    for (const key of ['forkedFrom', 'cachedCalls', '"cached"']) expect(text).not.toContain(key);
    const { store: restored } = await restore(file);
    expect(restored.getRun('plain')).toMatchObject({ forkedFrom: null, cachedCalls: 0 });
    expect(restored.getNodes('plain')[0]?.cached).toBe(false);

    // A fork's file with them taken out, as an RLMScope from before forks would have written it.
    const older = rewritten(await exported(makeFork().db, 'fork'), (record) => {
      const { forkedFrom: _f, cachedCalls: _c, ...rest } = record;
      if (rest['type'] !== 'node') return rest;
      const { cached: _cached, ...node } = rest['node'] as Record<string, unknown>;
      return { ...rest, node };
    });
    const { store: old } = await restore(older);
    expect(old.getRun('fork')).toMatchObject({ forkedFrom: null, cachedCalls: 0 });
    expect(old.getNodes('fork').map((n) => n.cached)).toEqual([false, false, false]);
  });

  it('is refused when its parent is no run id, its count or a cached mark is wrong, or its edit names no node', async () => {
    const file = await exported(makeFork().db, 'fork');
    const withRun = (fields: Record<string, unknown>) => rewritten(file, (r) => (r['type'] === 'run' ? { ...r, ...fields } : r));
    const bad: [Buffer, RegExp][] = [
      [withRun({ forkedFrom: { runId: '\u001b[31mred', nodeId: 2 } }), /forkedFrom\.runId.*not a run id RLMScope makes/],
      [withRun({ forkedFrom: { runId: 'parent-1', nodeId: 0 } }), /forkedFrom\.nodeId/],
      [withRun({ forkedFrom: { runId: 'parent-1' } }), /forkedFrom\.nodeId/],
      [withRun({ forkedFrom: { runId: 'fork', nodeId: 2 } }), /names itself as the run it was forked from/],
      [withRun({ cachedCalls: -1 }), /cachedCalls/],
      [withRun({ cachedCalls: 1.5 }), /cachedCalls/],
      [rewritten(file, (r) => (r['type'] === 'node' ? { ...r, node: { ...(r['node'] as object), cached: 1 } } : r)), /cached/],
      [rewritten(file, (r) => (r['type'] === 'node' && r['payload'] ? { ...r, payload: { ...(r['payload'] as object), forkEdit: { nodeId: 'x' } } } : r)), /forkEdit/],
    ];
    for (const [damaged, why] of bad) {
      const { db } = tempDatabase();
      const error = await restorePortableRun(db, readPortable((async function* () { yield damaged; })())).catch((e: unknown) => e);
      expect(error, String(why)).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(why) });
      expect(db.prepare(`SELECT count(*) AS n FROM runs`).get()).toEqual({ n: 0 });
    }
  });
});
