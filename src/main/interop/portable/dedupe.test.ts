// A run that deduplicated its sub-calls (--dedupe-subcalls, issue 13) in a portable file: the
// setting and each cached node's `dedupeOf` travel with it; the file of any other run does not
// name the setting (an older RLMScope still reads it); a node naming an answer that does not come
// before it is refused in one line.
import { gunzipSync, gzipSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { restorePortableRun } from '../../store/portableRestore';
import { RunRepository } from '../../store/runRepository';
import { newRun, tempDatabase } from '../../testing/tempDatabase';
import { readPortable } from './index';
import { exported } from '../../testing/portableFile';

async function restore(file: Buffer): Promise<RunRepository> {
  const { db } = tempDatabase();
  await restorePortableRun(db, readPortable((async function* () { yield file; })()), { keepIdIfFree: true });
  return new RunRepository(db);
}

function makeRun(dedupeSubcalls: boolean): Database.Database {
  const { db } = tempDatabase();
  const store = new RunRepository(db);
  store.createRun(newRun({ runId: 'run', dedupeSubcalls }));
  store.addNode('run', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1_010, label: 'root' }, { query: 'q' });
  store.addNode('run', { id: 2, parentId: 1, kind: 'cell', depth: 0, seq: 0, startedAt: 1_020, label: 'cell' }, { code: 'x' });
  store.addNode('run', { id: 3, parentId: 2, kind: 'llm', depth: 0, seq: 0, startedAt: 1_030, label: 'same', purpose: 'sub' }, { prompt: [{ role: 'user', content: 'same' }], text: 'a' });
  if (dedupeSubcalls) {
    store.addNode('run', { id: 4, parentId: 2, kind: 'llm', depth: 0, seq: 1, startedAt: 1_040, label: 'same', purpose: 'sub', cached: true }, { prompt: [{ role: 'user', content: 'same' }], text: 'a', dedupeOf: 3 });
    store.addCachedCall('run');
  }
  store.finishRun('run', { status: 'completed', endedAt: 2_000, answer: 'a', stopReason: null, error: null });
  return db;
}

describe('a deduplicating run in a portable file', () => {
  it('restores the setting, its cached count and each cached node with the node that answered it', async () => {
    const db = makeRun(true);
    const restored = await restore(await exported(db, 'run'));
    expect(restored.getRun('run')).toEqual(new RunRepository(db).getRun('run'));
    expect(restored.getRun('run')).toMatchObject({ dedupeSubcalls: true, cachedCalls: 1 });
    expect(restored.getNodes('run').map((n) => n.cached)).toEqual([false, false, false, true]);
    expect(restored.getPayload('run', 4)).toMatchObject({ dedupeOf: 3, text: 'a' });
  });

  it('does not name the setting for any other run, and a file without it imports as off', async () => {
    const file = await exported(makeRun(false), 'run');
    expect(gunzipSync(file).toString('utf8')).not.toContain('dedupeSubcalls');
    expect((await restore(file)).getRun('run')?.dedupeSubcalls).toBe(false);
  });

  it('refuses a node that names as its answer a node that does not come before it', async () => {
    const file = await exported(makeRun(true), 'run');
    const lines = gunzipSync(file).toString('utf8').split('\n').filter((line) => line !== '');
    const bad = lines.map((line) => {
      const record = JSON.parse(line) as { type: string; node?: { id: number }; payload?: Record<string, unknown> };
      if (record.type === 'node' && record.node?.id === 4) record.payload = { ...record.payload, dedupeOf: 9 };
      return JSON.stringify(record);
    });
    await expect(restore(gzipSync(`${bad.join('\n')}\n`))).rejects.toThrow(/node 4 names node 9 as the sub-call that answered it, which does not come before it/);
    const wrongType = lines.map((line) => line.replace('"dedupeOf":3', '"dedupeOf":"3"'));
    await expect(restore(gzipSync(`${wrongType.join('\n')}\n`))).rejects.toThrow(/dedupeOf/);
  });
});
