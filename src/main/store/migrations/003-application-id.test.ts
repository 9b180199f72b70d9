import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { RLMSCOPE_APPLICATION_ID } from '../applicationId';
import { migrate, schemaVersion } from '../migrate';
import { tempFolder } from '../../testing/tempDatabase';
import { migration as initial } from './001-initial';
import { migration as runDocuments } from './002-run-documents';
import { migration } from './003-application-id';

const applicationId = (db: Database.Database) => db.pragma('application_id', { simple: true });

describe('migration 003 (application id)', () => {
  it('marks a database made before the mark, keeping its runs', () => {
    const db = new Database(join(tempFolder(), 'v2.db'));
    migrate(db, [initial, runDocuments]);
    db.prepare(
      `INSERT INTO runs (id, created_at, status, query, root_model, sub_model, base_url, limits_json, seed, owner_pid, owner_host)
       VALUES ('kept', 1, 'completed', 'q', 'm', 'm', 'u', '{}', 0, 1, 'h')`,
    ).run();
    expect(applicationId(db)).toBe(0);
    expect(migrate(db, [initial, runDocuments, migration])).toEqual([3]);
    expect(schemaVersion(db)).toBe(3);
    expect(applicationId(db)).toBe(RLMSCOPE_APPLICATION_ID);
    expect(db.prepare(`SELECT id FROM runs`).all()).toEqual([{ id: 'kept' }]);
    db.close();
  });

  it('is written in the file header ("RLMS" at byte 68), where other tools look for it', () => {
    const file = join(tempFolder(), 'new.db');
    const db = new Database(file);
    migrate(db, [initial, runDocuments, migration]);
    db.close();
    expect(readFileSync(file).subarray(68, 72).toString('latin1')).toBe('RLMS');
  });
});
