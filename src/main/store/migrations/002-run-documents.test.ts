import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate';
import { tempFolder } from '../../testing/tempDatabase';
import { migration as initial } from './001-initial';
import { migration } from './002-run-documents';

function databaseAtVersion1(): Database.Database {
  const db = new Database(join(tempFolder(), 'v1.db'));
  db.pragma('foreign_keys = ON');
  migrate(db, [initial]);
  return db;
}

function addRun(db: Database.Database, id: string): void {
  db.prepare(
    `INSERT INTO runs (id, created_at, status, query, root_model, sub_model, base_url, limits_json, seed, owner_pid, owner_host)
     VALUES (?, 1, 'completed', 'q', 'm', 'm', 'u', '{}', 0, 1, 'h')`,
  ).run(id);
}

function addNode(db: Database.Database, runId: string, id: number, kind: string, body: string): void {
  db.prepare(`INSERT INTO nodes (run_id, id, kind, depth, seq, status, started_at, label) VALUES (?, ?, ?, 0, 0, 'completed', 1, 'n')`).run(runId, id, kind);
  db.prepare(`INSERT INTO node_payloads (run_id, node_id, body) VALUES (?, ?, ?)`).run(runId, id, body);
}

const rows = (db: Database.Database) =>
  db.prepare<[], { run_id: string; hash: string }>(`SELECT run_id, hash FROM run_documents ORDER BY run_id, hash`).all();

describe('migration 002 (run documents)', () => {
  it('fills the table from the inputs and the documents of RLM payloads, skipping damaged ones', () => {
    const db = databaseAtVersion1();
    addRun(db, 'a');
    addRun(db, 'b');
    db.exec(`INSERT INTO run_inputs (run_id, ord, name, hash, bytes) VALUES ('a', 0, 'in.txt', 'h-input', 1)`);
    addNode(db, 'a', 1, 'rlm', JSON.stringify({ query: 'q', documents: ['h-input'] }));
    addNode(db, 'a', 2, 'rlm', JSON.stringify({ query: 'child', documents: ['h-child-1', 'h-child-2'] }));
    addNode(db, 'a', 3, 'cell', JSON.stringify({ documents: ['h-not-an-rlm'] }));
    addNode(db, 'b', 1, 'rlm', 'not json');
    addNode(db, 'b', 2, 'rlm', JSON.stringify({ documents: 'h-not-a-list' }));
    addNode(db, 'b', 3, 'rlm', JSON.stringify({ documents: [7, 'h-b'] }));
    expect(migrate(db, [initial, migration])).toEqual([2]);
    expect(schemaVersion(db)).toBe(2);
    expect(rows(db)).toEqual([
      { run_id: 'a', hash: 'h-child-1' },
      { run_id: 'a', hash: 'h-child-2' },
      { run_id: 'a', hash: 'h-input' },
      { run_id: 'b', hash: 'h-b' },
    ]);
    db.close();
  });

  it('goes with its run when the run is deleted', () => {
    const db = databaseAtVersion1();
    migrate(db, [initial, migration]);
    addRun(db, 'a');
    db.exec(`INSERT INTO run_documents (run_id, hash) VALUES ('a', 'h')`);
    db.exec(`DELETE FROM runs WHERE id = 'a'`);
    expect(rows(db)).toEqual([]);
    expect(() => db.exec(`INSERT INTO run_documents (run_id, hash) VALUES ('nope', 'h')`)).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
