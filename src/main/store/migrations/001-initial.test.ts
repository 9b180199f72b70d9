import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate';
import { tempFolder } from '../../testing/tempDatabase';
import { migration } from './001-initial';

function emptyDatabase(): Database.Database {
  const db = new Database(join(tempFolder(), 'empty.db'));
  db.pragma('foreign_keys = ON');
  return db;
}

function names(db: Database.Database, type: 'table' | 'index'): string[] {
  return db
    .prepare<[string], { name: string }>(`SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .all(type)
    .map((row) => row.name);
}

describe('migration 001 (initial)', () => {
  it('creates the tables and indexes on an empty database', () => {
    const db = emptyDatabase();
    expect(migrate(db, [migration])).toEqual([1]);
    expect(schemaVersion(db)).toBe(1);
    expect(names(db, 'table')).toEqual(['document_chunks', 'documents', 'node_payloads', 'nodes', 'run_inputs', 'runs']);
    expect(names(db, 'index')).toEqual([
      'document_chunks_by_hash',
      'node_payloads_by_node',
      'run_inputs_by_hash',
      'runs_by_created_at',
      'runs_by_status',
    ]);
    db.close();
  });

  it('keeps large rows (payloads, chunks) in rowid tables and the node index clustered by run', () => {
    const db = emptyDatabase();
    migrate(db, [migration]);
    const withoutRowid = new Map(
      (db.pragma('table_list') as { name: string; wr: number }[]).map((table) => [table.name, table.wr === 1]),
    );
    expect(withoutRowid.get('nodes')).toBe(true);
    expect(withoutRowid.get('node_payloads')).toBe(false);
    expect(withoutRowid.get('document_chunks')).toBe(false);
    db.close();
  });

  it('is applied once: migrating again changes nothing', () => {
    const db = emptyDatabase();
    migrate(db, [migration]);
    db.exec(`INSERT INTO documents (hash, bytes, chunks, created_at) VALUES ('h', 0, 0, 1)`);
    expect(migrate(db, [migration])).toEqual([]);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare('SELECT count(*) AS n FROM documents').get()).toEqual({ n: 1 });
    db.close();
  });

  it('deletes a run with its nodes, payloads and inputs, but keeps the shared documents', () => {
    const db = emptyDatabase();
    migrate(db, [migration]);
    db.exec(`
      INSERT INTO runs (id, created_at, status, query, root_model, sub_model, base_url, limits_json, seed, owner_pid, owner_host)
        VALUES ('r', 1, 'completed', 'q', 'm', 'm', 'u', '{}', 0, 1, 'h');
      INSERT INTO nodes (run_id, id, kind, depth, seq, status, started_at, label) VALUES ('r', 1, 'rlm', 0, 0, 'completed', 1, 'root');
      INSERT INTO node_payloads (run_id, node_id, body) VALUES ('r', 1, '{}');
      INSERT INTO documents (hash, bytes, chunks, created_at) VALUES ('h', 0, 0, 1);
      INSERT INTO run_inputs (run_id, ord, name, hash, bytes) VALUES ('r', 0, 'a.txt', 'h', 0);
      DELETE FROM runs WHERE id = 'r';
    `);
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([count('nodes'), count('node_payloads'), count('run_inputs'), count('documents')]).toEqual([0, 0, 0, 1]);
    db.close();
  });

  it('refuses a payload for a node that does not exist', () => {
    const db = emptyDatabase();
    migrate(db, [migration]);
    expect(() => db.exec(`INSERT INTO node_payloads (run_id, node_id, body) VALUES ('nope', 1, '{}')`)).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
