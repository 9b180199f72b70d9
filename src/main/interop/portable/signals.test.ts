// Run-away signals (issue 13) in a portable file: the set a run kept travels with it and is
// checked on the way in; the file of a run without any holds none, so an RLMScope from before
// signals still reads it, and a file from before signals imports with none.
import { gunzipSync, gzipSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { RunSignal } from '../../../shared/domain/signals';
import { restorePortableRun } from '../../store/portableRestore';
import { RunRepository } from '../../store/runRepository';
import { newRun, tempDatabase } from '../../testing/tempDatabase';
import { readPortable } from './index';
import { exported } from '../../testing/portableFile';

async function restore(file: Buffer): Promise<{ db: Database.Database; runId: string }> {
  const { db } = tempDatabase();
  const { runId } = await restorePortableRun(db, readPortable((async function* () { yield file; })()), { keepIdIfFree: true });
  return { db, runId };
}

function rewritten(file: Buffer, edit: (record: Record<string, unknown>) => Record<string, unknown>): Buffer {
  const lines = gunzipSync(file).toString('utf8').split('\n').filter((line) => line !== '');
  return gzipSync(lines.map((line) => `${JSON.stringify(edit(JSON.parse(line) as Record<string, unknown>))}\n`).join(''));
}

const SIGNALS: RunSignal[] = [
  { kind: 'duplicate-subcalls', nodeId: 2, message: '3 sub-calls repeated an earlier (model, prompt): 1 prompt sent more than once, one up to 4 times.', costUsd: 0.45 },
  { kind: 'repetition', nodeId: 2, message: 'The root RLM ran the same code 3 turns in a row.', costUsd: null },
];

function makeRun(signals: RunSignal[] | undefined): Database.Database {
  const { db } = tempDatabase();
  const store = new RunRepository(db);
  store.createRun(newRun({ runId: 'flagged' }));
  store.addNode('flagged', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1_010, label: 'root' }, { query: 'q' });
  store.addNode('flagged', { id: 2, parentId: 1, kind: 'cell', depth: 0, seq: 0, startedAt: 1_020, label: 'code' }, { code: 'print(1)' });
  store.updateNode('flagged', 2, { status: 'completed', endedAt: 1_030 });
  store.finishRun('flagged', { status: 'completed', endedAt: 2_000, answer: 'a', stopReason: null, error: null, ...(signals ? { signals } : {}) });
  return db;
}

describe('run-away signals in a portable file', () => {
  it('restores the set the run kept', async () => {
    const db = makeRun(SIGNALS);
    const { db: restored, runId } = await restore(await exported(db, 'flagged'));
    expect(new RunRepository(restored).getRun(runId)?.signals).toEqual(SIGNALS);
    expect(new RunRepository(restored).getRun(runId)).toEqual(new RunRepository(db).getRun('flagged'));
  });

  it('writes none for a run without any, and a file without them imports with none', async () => {
    const file = await exported(makeRun(undefined), 'flagged');
    expect(gunzipSync(file).toString('utf8')).not.toContain('signals');
    const { db, runId } = await restore(file);
    expect(new RunRepository(db).getRun(runId)?.signals).toEqual([]);
  });

  it('is refused, whole, when a signal is not one or names a node the file does not hold', async () => {
    const file = await exported(makeRun(SIGNALS), 'flagged');
    const withSignals = (signals: unknown) => rewritten(file, (r) => (r['type'] === 'run' ? { ...r, signals } : r));
    const bad: [Buffer, RegExp][] = [
      [withSignals([{ ...SIGNALS[0], kind: 'spooky' }]), /signals\.0\.kind/],
      [withSignals([{ ...SIGNALS[0], costUsd: -1 }]), /signals\.0\.costUsd/],
      [withSignals([{ ...SIGNALS[0], nodeId: 0 }]), /signals\.0\.nodeId/],
      [withSignals([{ ...SIGNALS[0], extra: true }]), /signals\.0/],
      [withSignals([{ ...SIGNALS[0], message: 'x'.repeat(20_000) }]), /signals\.0\.message/],
      [withSignals('none'), /signals/],
      [withSignals(Array.from({ length: 100_001 }, () => SIGNALS[1])), /signals/],
      [withSignals([{ ...SIGNALS[0], nodeId: 99 }]), /duplicate-subcalls signal names node 99, which is not in the file/],
    ];
    for (const [damaged, why] of bad) {
      const { db } = tempDatabase();
      const error = await restorePortableRun(db, readPortable((async function* () { yield damaged; })())).catch((e: unknown) => e);
      expect(error, String(why)).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(why) });
      expect(db.prepare(`SELECT count(*) AS n FROM runs`).get()).toEqual({ n: 0 });
    }
  });
});
