import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../database';
import { migrate, schemaVersion } from '../migrate';
import { RunReader } from '../runReader';
import { tempFolder } from '../../testing/tempDatabase';
import { migration as initial } from './001-initial';
import { migration as runDocuments } from './002-run-documents';
import { migration as applicationId } from './003-application-id';
import { migration as runOrigin } from './004-run-origin';
import { migration } from './005-run-recording';

const BEFORE = [initial, runDocuments, applicationId, runOrigin];

function addRun(db: Database.Database, id: string, extra = '', values = ''): void {
  db.prepare(
    `INSERT INTO runs (id, created_at, status, query, root_model, sub_model, base_url, limits_json, seed, owner_pid, owner_host${extra})
     VALUES (?, 1, 'completed', 'q', 'm', 'm', 'u', '{}', 0, 1, 'h'${values})`,
  ).run(id);
}

const OLD_WHY = /^recorded before exact replay: /;

describe('migration 005 (run recording)', () => {
  it('marks the runs made before it as recorded before exact replay, and says so when they are read', () => {
    const db = new Database(join(tempFolder(), 'v4.db'));
    migrate(db, BEFORE);
    addRun(db, 'old');
    addRun(db, 'imported', ', origin, source', ", 'imported', 'log.jsonl'");
    expect(migrate(db, [...BEFORE, migration])).toEqual([5]);
    expect(schemaVersion(db)).toBe(5);
    expect(db.prepare(`SELECT id, recording FROM runs ORDER BY id`).all()).toEqual([
      { id: 'imported', recording: 0 },
      { id: 'old', recording: 0 },
    ]);
    const reader = new RunReader(db);
    expect(reader.getRun('old')).toMatchObject({ recording: 0, replayable: false, replayableWhy: expect.stringMatching(OLD_WHY) });
    // An imported run is never re-executed, whatever its recording: that is the reason given.
    expect(reader.getRun('imported')).toMatchObject({ replayable: false, replayableWhy: expect.stringMatching(/^imported from log\.jsonl/) });
    db.close();
  });

  it('keeps a version written by the engine, and refuses a negative one', () => {
    const db = new Database(join(tempFolder(), 'v5.db'));
    migrate(db, [...BEFORE, migration]);
    addRun(db, 'new', ', recording', ', 1');
    addRun(db, 'future', ', recording', ', 9');
    const reader = new RunReader(db);
    expect(reader.getRun('new')).toMatchObject({ recording: 1, replayable: true, replayableWhy: null });
    expect(reader.getRun('future')).toMatchObject({ replayable: false, replayableWhy: expect.stringMatching(/newer RLMScope \(recording version 9/) });
    expect(() => addRun(db, 'bad', ', recording', ', -1')).toThrow(/CHECK/);
    db.close();
  });

  it('leaves a database opened read-only before it readable: its runs are not exactly replayable', () => {
    const file = join(tempFolder(), 'v4.db');
    const writer = new Database(file);
    migrate(writer, BEFORE);
    addRun(writer, 'old');
    writer.close();
    const reader = openDatabase(file, { readonly: true });
    expect(schemaVersion(reader)).toBe(4);
    expect(new RunReader(reader).getRun('old')).toMatchObject({ recording: 0, replayable: false, replayableWhy: expect.stringMatching(OLD_WHY) });
    reader.close();
  });
});
