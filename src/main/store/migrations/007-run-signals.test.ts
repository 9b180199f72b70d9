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
import { migration as runRecording } from './005-run-recording';
import { migration as runFork } from './006-run-fork';
import { migration } from './007-run-signals';

const BEFORE = [initial, runDocuments, applicationId, runOrigin, runRecording, runFork];

const DUPLICATES = { kind: 'duplicate-subcalls', nodeId: 3, message: '3 sub-calls repeated an earlier (model, prompt).', costUsd: 0.45 };
const FORECAST = { kind: 'budget-forecast', nodeId: null, message: 'The cost limit is reached in 20 s at the recent rate.', costUsd: 1.5 };

function addRun(db: Database.Database, id: string, status = 'completed', signals?: string): void {
  db.prepare(
    `INSERT INTO runs (id, created_at, status, query, root_model, sub_model, base_url, limits_json, seed, owner_pid, owner_host${signals === undefined ? '' : ', signals'})
     VALUES (?, 1, ?, 'q', 'm', 'm', 'u', '{}', 0, 1, 'h'${signals === undefined ? '' : ', ?'})`,
  ).run(id, status, ...(signals === undefined ? [] : [signals]));
}

describe('migration 007 (run signals)', () => {
  it('gives every older run no signals', () => {
    const db = new Database(join(tempFolder(), 'v6.db'));
    migrate(db, BEFORE);
    addRun(db, 'old');
    expect(migrate(db, [...BEFORE, migration])).toEqual([7]);
    expect(schemaVersion(db)).toBe(7);
    expect(db.prepare(`SELECT signals FROM runs`).get()).toEqual({ signals: null });
    const reader = new RunReader(db);
    expect(reader.getRun('old')).toMatchObject({ signals: [] });
    expect(reader.listRuns({ limit: 5, offset: 0 })).toEqual([expect.objectContaining({ runId: 'old', signals: [] })]);
    db.close();
  });

  it('reads the signals kept, refuses a value that is not JSON, and leaves out entries that are not signals', () => {
    const db = new Database(join(tempFolder(), 'v7.db'));
    migrate(db, [...BEFORE, migration]);
    addRun(db, 'kept', 'completed', JSON.stringify([DUPLICATES]));
    addRun(db, 'odd', 'completed', JSON.stringify([DUPLICATES, { kind: 'unknown', nodeId: 1, message: 'x', costUsd: 0 }, { ...DUPLICATES, costUsd: -1 }, 'text', null]));
    addRun(db, 'object', 'completed', '{"kind":"repetition"}');
    const reader = new RunReader(db);
    expect(reader.getRun('kept')?.signals).toEqual([DUPLICATES]);
    expect(reader.getRun('odd')?.signals).toEqual([DUPLICATES]);
    expect(reader.getRun('object')?.signals).toEqual([]);
    expect(() => addRun(db, 'bad', 'completed', '[{"kind":')).toThrow(/CHECK/);
    db.close();
  });

  it('shows a budget forecast only while the run goes on: an interrupted run keeps the rest of its last set', () => {
    const db = new Database(join(tempFolder(), 'v7.db'));
    migrate(db, [...BEFORE, migration]);
    const both = JSON.stringify([DUPLICATES, FORECAST]);
    addRun(db, 'running', 'running', both);
    addRun(db, 'interrupted', 'interrupted', both);
    const reader = new RunReader(db);
    expect(reader.getRun('running')?.signals).toEqual([DUPLICATES, FORECAST]);
    expect(reader.getRun('interrupted')?.signals).toEqual([DUPLICATES]);
    db.close();
  });

  it('leaves a database opened read-only before it readable: no signals', () => {
    const file = join(tempFolder(), 'v6.db');
    const writer = new Database(file);
    migrate(writer, BEFORE);
    addRun(writer, 'old');
    writer.close();
    const reader = openDatabase(file, { readonly: true });
    expect(schemaVersion(reader)).toBe(6);
    const runs = new RunReader(reader);
    expect(runs.getRun('old')).toMatchObject({ signals: [], cachedCalls: 0 });
    expect(runs.listRuns({ limit: 5, offset: 0 })).toEqual([expect.objectContaining({ runId: 'old', signals: [] })]);
    reader.close();
  });
});
