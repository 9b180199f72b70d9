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
import { migration } from './004-run-origin';

function addRun(db: Database.Database, id: string, extra = '', values = ''): void {
  db.prepare(
    `INSERT INTO runs (id, created_at, status, query, root_model, sub_model, base_url, limits_json, seed, owner_pid, owner_host${extra})
     VALUES (?, 1, 'completed', 'q', 'm', 'm', 'u', '{}', 0, 1, 'h'${values})`,
  ).run(id);
}

describe('migration 004 (run origin)', () => {
  it('marks the runs made before it as native, with no source', () => {
    const db = new Database(join(tempFolder(), 'v3.db'));
    migrate(db, [initial, runDocuments, applicationId]);
    addRun(db, 'old');
    expect(migrate(db, [initial, runDocuments, applicationId, migration])).toEqual([4]);
    expect(schemaVersion(db)).toBe(4);
    expect(db.prepare(`SELECT id, origin, source FROM runs`).all()).toEqual([{ id: 'old', origin: 'native', source: null }]);
    db.close();
  });

  it('keeps an imported run with its file name, and refuses an origin it does not know', () => {
    const db = new Database(join(tempFolder(), 'v4.db'));
    migrate(db, [initial, runDocuments, applicationId, migration]);
    addRun(db, 'in', ', origin, source', ", 'imported', 'log.jsonl'");
    expect(db.prepare(`SELECT origin, source FROM runs WHERE id = 'in'`).get()).toEqual({ origin: 'imported', source: 'log.jsonl' });
    expect(() => addRun(db, 'bad', ', origin', ", 'forked'")).toThrow(/CHECK/);
    db.close();
  });

  it('leaves a database opened read-only before it readable: its runs are native', () => {
    const file = join(tempFolder(), 'v3.db');
    const writer = new Database(file);
    migrate(writer, [initial, runDocuments, applicationId]);
    addRun(writer, 'old');
    writer.close();
    const reader = openDatabase(file, { readonly: true });
    expect(schemaVersion(reader)).toBe(3);
    const runs = new RunReader(reader).listRuns({ limit: 10, offset: 0 });
    expect(runs.map((r) => [r.runId, r.origin, r.source])).toEqual([['old', 'native', null]]);
    reader.close();
  });
});
