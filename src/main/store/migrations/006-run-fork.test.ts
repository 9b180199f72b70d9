import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { decodeNodeIndex, NODE_INDEX_ENCODING } from '../../../shared/nodeIndex';
import { openDatabase } from '../database';
import { migrate, schemaVersion } from '../migrate';
import { RunReader } from '../runReader';
import { tempFolder } from '../../testing/tempDatabase';
import { migration as initial } from './001-initial';
import { migration as runDocuments } from './002-run-documents';
import { migration as applicationId } from './003-application-id';
import { migration as runOrigin } from './004-run-origin';
import { migration as runRecording } from './005-run-recording';
import { migration } from './006-run-fork';

const BEFORE = [initial, runDocuments, applicationId, runOrigin, runRecording];

function addRun(db: Database.Database, id: string, extra = '', values = ''): void {
  db.prepare(
    `INSERT INTO runs (id, created_at, status, query, root_model, sub_model, base_url, limits_json, seed, owner_pid, owner_host${extra})
     VALUES (?, 1, 'completed', 'q', 'm', 'm', 'u', '{}', 0, 1, 'h'${values})`,
  ).run(id);
}

function addNode(db: Database.Database, runId: string, id: number, extra = '', values = ''): void {
  db.prepare(
    `INSERT INTO nodes (run_id, id, parent_id, kind, depth, seq, status, started_at, label${extra})
     VALUES (?, ?, NULL, 'llm', 0, 0, 'completed', 1, 'call'${values})`,
  ).run(runId, id);
}

describe('migration 006 (run fork)', () => {
  it('makes every older run no fork, with no cached calls, and every older node not cached', () => {
    const db = new Database(join(tempFolder(), 'v5.db'));
    migrate(db, BEFORE);
    addRun(db, 'old');
    addNode(db, 'old', 1);
    expect(migrate(db, [...BEFORE, migration])).toEqual([6]);
    expect(schemaVersion(db)).toBe(6);
    expect(db.prepare(`SELECT forked_from_run, forked_from_node, cached_calls FROM runs`).get()).toEqual({ forked_from_run: null, forked_from_node: null, cached_calls: 0 });
    const reader = new RunReader(db);
    expect(reader.getRun('old')).toMatchObject({ forkedFrom: null, cachedCalls: 0 });
    expect(reader.getNodes('old')).toEqual([expect.objectContaining({ id: 1, cached: false })]);
    db.close();
  });

  it('keeps a fork whose parent is gone, and refuses a negative count or a cached mark other than 0 or 1', () => {
    const db = new Database(join(tempFolder(), 'v6.db'));
    migrate(db, [...BEFORE, migration]);
    // No foreign key: the parent was never in this database (deleted, or the fork was imported alone).
    addRun(db, 'fork', ', forked_from_run, forked_from_node, cached_calls', ", 'gone', 4, 3");
    addNode(db, 'fork', 1, ', cached', ', 1');
    const reader = new RunReader(db);
    expect(reader.getRun('fork')).toMatchObject({ forkedFrom: { runId: 'gone', nodeId: 4 }, cachedCalls: 3 });
    expect(reader.getNodes('fork')).toEqual([expect.objectContaining({ id: 1, cached: true })]);
    expect(() => addRun(db, 'bad', ', cached_calls', ', -1')).toThrow(/CHECK/);
    expect(() => addNode(db, 'fork', 2, ', cached', ', 2')).toThrow(/CHECK/);
    expect(() => addNode(db, 'fork', 3, ', cached', ", 'yes'")).toThrow(/cannot store TEXT value in INTEGER column|CHECK/);
    db.close();
  });

  it('leaves a database opened read-only before it readable: no forks, no cached nodes', () => {
    const file = join(tempFolder(), 'v5.db');
    const writer = new Database(file);
    migrate(writer, BEFORE);
    addRun(writer, 'old');
    addNode(writer, 'old', 1);
    addNode(writer, 'old', 2);
    writer.close();
    const reader = openDatabase(file, { readonly: true });
    expect(schemaVersion(reader)).toBe(5);
    const runs = new RunReader(reader);
    expect(runs.getRun('old')).toMatchObject({ forkedFrom: null, cachedCalls: 0, recording: 0 });
    expect(runs.listRuns({ limit: 5, offset: 0 })).toEqual([expect.objectContaining({ runId: 'old', forkedFrom: null, cachedCalls: 0 })]);
    expect(runs.getNodes('old').map((n) => [n.id, n.cached])).toEqual([[1, false], [2, false]]);
    const page = runs.getNodeIndexPage('old', 1);
    expect(decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, ...page })).toEqual(runs.getNodes('old').slice(1));
    reader.close();
  });
});
