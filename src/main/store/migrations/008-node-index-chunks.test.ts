import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../database';
import { migrate, schemaVersion } from '../migrate';
import { RunReader } from '../runReader';
import { INDEX_CHUNK } from '../nodeIndexChunks';
import { RunRepository } from '../runRepository';
import { tempFolder } from '../../testing/tempDatabase';
import { migration as initial } from './001-initial';
import { migration as runDocuments } from './002-run-documents';
import { migration as applicationId } from './003-application-id';
import { migration as runOrigin } from './004-run-origin';
import { migration as runRecording } from './005-run-recording';
import { migration as runFork } from './006-run-fork';
import { migration as runSignals } from './007-run-signals';
import { migration } from './008-node-index-chunks';

const BEFORE = [initial, runDocuments, applicationId, runOrigin, runRecording, runFork, runSignals];

/** A run ended at schema 7, with `nodes` nodes. */
function addEndedRun(db: Database.Database, id: string, nodes: number): void {
  db.prepare(
    `INSERT INTO runs (id, created_at, status, query, root_model, sub_model, base_url, limits_json, seed, owner_pid, owner_host)
     VALUES (?, 1, 'completed', 'q', 'm', 'm', 'u', '{}', 0, 1, 'h')`,
  ).run(id);
  const insert = db.prepare(`INSERT INTO nodes (run_id, id, parent_id, kind, depth, seq, status, started_at, label) VALUES (?, ?, ?, 'llm', 0, ?, 'completed', ?, ?)`);
  db.transaction(() => {
    for (let n = 1; n <= nodes; n++) insert.run(id, n, n === 1 ? null : 1, n, n, `node ${n} — ü`);
  })();
}

const chunkCount = (db: Database.Database) => db.prepare(`SELECT count(*) FROM node_index_chunks`).pluck().get();

describe('migration 008 (node index chunks)', () => {
  it('leaves the runs of schema 7 without chunks, read live, and stores them when a writer opens one', async () => {
    const db = new Database(join(tempFolder(), 'v7.db'));
    migrate(db, BEFORE);
    addEndedRun(db, 'old', 4500);
    const page = new RunReader(db).getNodeIndexPage('old', 0, 2000);
    expect(migrate(db, [...BEFORE, migration])).toEqual([8]);
    expect(schemaVersion(db)).toBe(8);
    expect(chunkCount(db)).toBe(0);

    const store = new RunRepository(db);
    const live = store.getNodeIndexPage('old', 0, 2000);
    expect(Buffer.from(live.bytes).equals(Buffer.from(page.bytes))).toBe(true);
    expect(live.total).toBe(4500);
    // That page missed its chunk: the writer fills them in the background.
    expect(await store.cacheNodeIndex('old')).toBe(Math.floor(4500 / INDEX_CHUNK) + 1);
    const cached = store.getNodeIndexPage('old', 0, 2000);
    expect(Buffer.from(cached.bytes).equals(Buffer.from(page.bytes))).toBe(true);
    expect([cached.count, cached.lastId, cached.total]).toEqual([2000, 2000, 4500]);
    db.close();
  });

  it('leaves a database at schema 7 opened read-only readable: every page live', () => {
    const file = join(tempFolder(), 'v7.db');
    const writer = new Database(file);
    migrate(writer, BEFORE);
    addEndedRun(writer, 'old', 2500);
    writer.close();
    const reader = openDatabase(file, { readonly: true });
    expect(schemaVersion(reader)).toBe(7);
    const runs = new RunReader(reader);
    const first = runs.getNodeIndexPage('old', 0, 2000);
    expect([first.count, first.lastId, first.total]).toEqual([2000, 2000, 2500]);
    const rest = runs.getNodeIndexPage('old', 2000, 10_000, false);
    expect([rest.count, rest.lastId, rest.total]).toEqual([500, 2500, null]);
    expect((JSON.parse(Buffer.from(rest.bytes).toString('utf8')) as unknown[][])[499]?.[8]).toBe('node 2500 — ü');
    reader.close();
  });

  it('drops a run\'s chunks when its nodes change or the run goes', () => {
    const db = new Database(join(tempFolder(), 'v8.db'));
    db.pragma('foreign_keys = ON');
    migrate(db, [...BEFORE, migration]);
    addEndedRun(db, 'a', 3);
    addEndedRun(db, 'b', 3);
    const chunk = db.prepare(`INSERT INTO node_index_chunks (run_id, after_id, last_id, count, bytes, format) VALUES (?, 0, 3, 3, CAST('[]' AS BLOB), 'f')`);
    chunk.run('a');
    chunk.run('b');
    db.prepare(`UPDATE nodes SET ended_at = 9 WHERE run_id = 'a' AND id = 2`).run();
    expect(db.prepare(`SELECT run_id FROM node_index_chunks`).pluck().all()).toEqual(['b']);
    chunk.run('a');
    db.prepare(`DELETE FROM runs WHERE id = 'b'`).run();
    expect(db.prepare(`SELECT run_id FROM node_index_chunks`).pluck().all()).toEqual(['a']);
    expect(() => chunk.run('no-such-run')).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
