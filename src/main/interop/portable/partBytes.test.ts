// The size of the parts a too-large input was split in (issue 13) beside a run's limits, in the
// store and in a portable file: a new run's travels with it; a run from before it was recorded
// reads as the 512 MiB every run used then, and its file does not name it (an older RLMScope still
// reads it); a file naming a size no run can have is refused in one line.
import { gunzipSync, gzipSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LEGACY_PART_BYTES, PART_BYTES } from '../../../shared/domain/run';
import { restorePortableRun } from '../../store/portableRestore';
import { RunRepository } from '../../store/runRepository';
import { newRun, tempDatabase } from '../../testing/tempDatabase';
import { readPortable } from './index';
import { exported } from '../../testing/portableFile';

async function restoreInto(file: Buffer): Promise<Database.Database> {
  const { db } = tempDatabase();
  await restorePortableRun(db, readPortable((async function* () { yield file; })()), { keepIdIfFree: true });
  return db;
}

async function restore(file: Buffer): Promise<RunRepository> {
  return new RunRepository(await restoreInto(file));
}

function makeRun(partBytes?: number): Database.Database {
  const { db } = tempDatabase();
  const store = new RunRepository(db);
  store.createRun(newRun({ runId: 'run', ...(partBytes !== undefined ? { partBytes } : {}) }));
  store.addNode('run', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1_010, label: 'root' }, { query: 'q' });
  store.finishRun('run', { status: 'completed', endedAt: 2_000, answer: 'a', stopReason: null, error: null });
  return db;
}

function rewriteRun(file: Buffer, change: (run: Record<string, unknown>) => void): Buffer {
  const lines = gunzipSync(file).toString('utf8').split('\n').filter((line) => line !== '');
  const changed = lines.map((line) => {
    const record = JSON.parse(line) as Record<string, unknown>;
    if (record.type === 'run') change(record);
    return JSON.stringify(record);
  });
  return gzipSync(`${changed.join('\n')}\n`);
}

describe('the part size of a run', () => {
  it('is stored beside the limits, and reads as 512 MiB for a run without one or with a damaged one', () => {
    const db = makeRun(PART_BYTES);
    const store = new RunRepository(db);
    expect(store.getRun('run')).toMatchObject({ partBytes: 2 ** 27, limits: newRun().limits });
    expect(PART_BYTES).toBeLessThan(LEGACY_PART_BYTES);
    expect(new RunRepository(makeRun()).getRun('run')?.partBytes).toBe(2 ** 29 - 24);
    for (const damaged of ['0', '"big"', String(2 ** 40), '1.5', 'null']) {
      db.prepare(`UPDATE runs SET limits_json = json_set(limits_json, '$.partBytes', json(?)) WHERE id = 'run'`).run(damaged);
      expect(store.getRun('run')?.partBytes, damaged).toBe(LEGACY_PART_BYTES);
      expect(store.getRun('run')?.limits).toEqual(newRun().limits);
    }
  });

  it('travels in a portable file both ways', async () => {
    const db = makeRun(PART_BYTES);
    const file = await exported(db, 'run');
    expect(gunzipSync(file).toString('utf8')).toContain(`"partBytes":${2 ** 27}`);
    const restoredDb = await restoreInto(file);
    const restored = new RunRepository(restoredDb);
    expect(restored.getRun('run')).toEqual(new RunRepository(db).getRun('run'));
    expect(restored.getRun('run')?.partBytes).toBe(PART_BYTES);
    // And again: the restored run's file names the same size.
    expect(gunzipSync(await exported(restoredDb, 'run')).toString('utf8')).toContain(`"partBytes":${2 ** 27}`);
  });

  it('is not named in the file of a run from before it, and a file without it imports as 512 MiB', async () => {
    const file = await exported(makeRun(), 'run');
    expect(gunzipSync(file).toString('utf8')).not.toContain('partBytes');
    expect((await restore(file)).getRun('run')?.partBytes).toBe(LEGACY_PART_BYTES);
  });

  it('refuses a file naming a part size no run can have', async () => {
    const file = await exported(makeRun(PART_BYTES), 'run');
    for (const bad of [16, 2 ** 29, 'big']) {
      await expect(restore(rewriteRun(file, (run) => (run.partBytes = bad)))).rejects.toThrow(/partBytes/);
    }
  });
});
