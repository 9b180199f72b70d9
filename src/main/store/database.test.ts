import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { RlmError } from '../../shared/errors';
import { openDatabase } from './database';
import { RLMSCOPE_APPLICATION_ID } from './applicationId';
import { latestVersion, migrate, schemaVersion } from './migrate';
import { migrations } from './migrations';
import { ownerCheck } from './ownerCheck';
import { RunReader } from './runReader';
import { RunRepository } from './runRepository';
import { newRun, tempDatabase, tempFolder, thrown } from '../testing/tempDatabase';

const root = join(__dirname, '../../..');

function storeFailure(fn: () => unknown): string {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(RlmError);
  expect((error as RlmError).code).toBe('STORE_FAILED');
  return (error as RlmError).message;
}

describe('openDatabase', () => {
  it('creates the folder, sets WAL and the other pragmas, and migrates', () => {
    const file = join(tempFolder(), 'nested', 'deeper', 'rlmscope.db');
    const db = openDatabase(file);
    expect(existsSync(file)).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(schemaVersion(db)).toBe(latestVersion());
    db.close();
  });

  it('opens an existing database again without migrating it twice', () => {
    const { db, file } = tempDatabase();
    new RunRepository(db).createRun(newRun({ runId: 'kept', query: 'q' }));
    db.close();
    const again = openDatabase(file);
    expect(new RunRepository(again).getRun('kept')?.query).toBe('q');
    again.close();
  });

  it('refuses a file of random bytes', () => {
    const file = join(tempFolder(), 'random.db');
    writeFileSync(file, randomBytes(64 * 1024));
    expect(storeFailure(() => openDatabase(file))).toBe(`${file} is not an RLMScope database: file is not a database`);
  });

  /** A foreign file's bytes and mtime, and the names in its folder, to show that refusing it changed nothing. */
  function snapshot(file: string) {
    return { bytes: readFileSync(file), mtimeMs: statSync(file).mtimeMs, folder: readdirSync(dirname(file)).sort() };
  }

  it('refuses a foreign SQLite database untouched: no tables, no WAL, no -wal/-shm, same bytes and mtime', () => {
    const file = join(tempFolder(), 'foreign.db');
    const foreign = new Database(file);
    foreign.exec(`CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts (name) VALUES ('a')`);
    foreign.close();
    const before = snapshot(file);
    expect(storeFailure(() => openDatabase(file))).toBe(
      `${file} is not an RLMScope database: it has no RLMScope mark and tables of its own (accounts); it was left untouched`,
    );
    expect(storeFailure(() => openDatabase(file, { readonly: true }))).toMatch(/is not an RLMScope database/);
    expect(snapshot(file)).toEqual(before);
    const after = new Database(file, { readonly: true });
    expect(after.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(after.pragma('user_version', { simple: true })).toBe(0);
    after.close();
  });

  it("refuses a database marked with another application's id, even with our tables", () => {
    const file = join(tempFolder(), 'other-app.db');
    const other = new Database(file);
    other.pragma('application_id = 1234');
    other.exec(`CREATE TABLE runs (whatever TEXT)`);
    other.close();
    const before = snapshot(file);
    expect(storeFailure(() => openDatabase(file))).toBe(
      `${file} is not an RLMScope database: its application_id is 0x000004d2 (RLMScope's is 0x524c4d53); it was left untouched`,
    );
    expect(snapshot(file)).toEqual(before);
  });

  it('refuses a foreign SQLite database whose tables clash with ours, untouched', () => {
    const file = join(tempFolder(), 'clash.db');
    const foreign = new Database(file);
    foreign.exec(`CREATE TABLE runs (whatever TEXT)`);
    foreign.close();
    const before = snapshot(file);
    expect(storeFailure(() => openDatabase(file))).toMatch(/clash\.db is not an RLMScope database: it has no RLMScope mark and tables of its own \(runs\)/);
    expect(snapshot(file)).toEqual(before);
  });

  it('marks a new file, an empty one, and an unmarked database RLMScope made before the mark', () => {
    const dir = tempFolder();
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    for (const file of [join(dir, 'new.db'), empty]) {
      const db = openDatabase(file);
      expect(db.pragma('application_id', { simple: true })).toBe(RLMSCOPE_APPLICATION_ID);
      db.close();
    }
    const old = join(dir, 'old.db');
    const before = new Database(old);
    before.pragma('journal_mode = WAL');
    migrate(before, migrations.slice(0, 2));
    before.close();
    // Read-only, an unmarked database of schema 2 is read as it is (it may never be writable).
    const reader = openDatabase(old, { readonly: true });
    expect(new RunReader(reader).listRuns({ limit: 10, offset: 0 })).toEqual([]);
    reader.close();
    const db = openDatabase(old);
    expect(db.pragma('application_id', { simple: true })).toBe(RLMSCOPE_APPLICATION_ID);
    expect(schemaVersion(db)).toBe(latestVersion());
    db.close();
  });

  it('refuses a database written by a newer version', () => {
    const file = join(tempFolder(), 'newer.db');
    const newer = new Database(file);
    newer.pragma(`application_id = ${RLMSCOPE_APPLICATION_ID}`);
    newer.pragma('user_version = 999');
    newer.close();
    expect(storeFailure(() => openDatabase(file))).toMatch(/newer\.db was written by a newer RLMScope \(schema version 999/);
    expect(storeFailure(() => openDatabase(file, { readonly: true }))).toMatch(/was written by a newer RLMScope/);
  });

  it('opens read-only: reads work, writes fail, and a missing file is not created', () => {
    const { db, file, dir } = tempDatabase();
    new RunRepository(db).createRun(newRun({ runId: 'r' }));
    const reader = openDatabase(file, { readonly: true });
    expect(new RunRepository(reader).getRun('r')?.status).toBe('running');
    expect(() => reader.exec(`DELETE FROM runs`)).toThrow(/readonly/);
    reader.close();
    const missing = join(dir, 'missing', 'x.db');
    expect(storeFailure(() => openDatabase(missing, { readonly: true }))).toMatch(/^cannot open .*x\.db/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it('keeps every committed node of a writer killed mid-run, and the run stays running until marked', async () => {
    const file = join(tempFolder(), 'killed.db');
    const writer = fork(join(__dirname, '..', 'testing', 'storeWriter.ts'), [file, 'killed-run'], {
      cwd: root,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let acknowledged = 0;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => writer.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      writer.on('message', (message: { ready?: boolean; written?: number }) => {
        if (message.ready) setTimeout(resolve, 300);
        if (message.written) acknowledged = message.written;
      });
      writer.on('exit', (code) => reject(new Error(`writer exited early with code ${code}`)));
    });
    writer.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(acknowledged).toBeGreaterThan(10);

    const db = openDatabase(file);
    const store = new RunRepository(db);
    const nodes = store.getNodes('killed-run');
    expect(nodes.length).toBeGreaterThanOrEqual(acknowledged);
    expect(nodes.map((node) => node.id)).toEqual(nodes.map((_, i) => i + 1));
    for (const node of nodes) {
      const payload = store.getPayload('killed-run', node.id);
      expect(payload?.error).toBeUndefined();
      if (node.id > 1) expect(payload?.text).toMatch(new RegExp(`^${node.id} x`));
      if (node.id <= acknowledged) expect(node.status).toBe(node.id === 1 ? 'running' : 'completed');
    }
    // Usage and run totals were committed together or not at all.
    const run = store.getRun('killed-run');
    const priced = nodes.filter((node) => node.costUsd !== null);
    expect(run?.modelCalls).toBe(priced.length);
    expect(nodes[0]?.subtree.modelCalls).toBe(priced.length);
    expect(run?.status).toBe('running');

    const marked = store.markInterrupted(ownerCheck({ now: Date.now(), staleMs: 60_000 }), Date.now());
    expect(marked).toEqual(['killed-run']);
    expect(store.getRun('killed-run')?.status).toBe('interrupted');
    expect(store.getNodes('killed-run').filter((node) => node.status === 'running')).toEqual([]);
    db.close();
  });
});
