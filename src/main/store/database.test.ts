import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { RlmError } from '../../shared/errors';
import { openDatabase } from './database';
import { latestVersion, schemaVersion } from './migrate';
import { ownerCheck } from './ownerCheck';
import { RunStore } from './runStore';
import { newRun, tempDatabase, tempFolder, thrown } from './testing/tempDatabase';

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
    new RunStore(db).createRun(newRun({ runId: 'kept', query: 'q' }));
    db.close();
    const again = openDatabase(file);
    expect(new RunStore(again).getRun('kept')?.query).toBe('q');
    again.close();
  });

  it('refuses a file of random bytes', () => {
    const file = join(tempFolder(), 'random.db');
    writeFileSync(file, randomBytes(64 * 1024));
    expect(storeFailure(() => openDatabase(file))).toBe(`${file} is not an RLMScope database: file is not a database`);
  });

  it('adds its tables to a foreign SQLite database at user_version 0', () => {
    const file = join(tempFolder(), 'foreign.db');
    const foreign = new Database(file);
    foreign.exec(`CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts (name) VALUES ('a')`);
    foreign.close();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(latestVersion());
    expect(db.prepare('SELECT name FROM accounts').all()).toEqual([{ name: 'a' }]);
    db.close();
  });

  it('refuses a foreign SQLite database whose tables clash with ours', () => {
    const file = join(tempFolder(), 'clash.db');
    const foreign = new Database(file);
    foreign.exec(`CREATE TABLE runs (whatever TEXT)`);
    foreign.close();
    expect(storeFailure(() => openDatabase(file))).toMatch(/clash\.db is not an RLMScope database: .*table runs already exists/);
    // Refusing it changed nothing in it.
    const after = new Database(file);
    expect(after.pragma('user_version', { simple: true })).toBe(0);
    after.close();
  });

  it('refuses a database written by a newer version', () => {
    const file = join(tempFolder(), 'newer.db');
    const newer = new Database(file);
    newer.pragma('user_version = 999');
    newer.close();
    expect(storeFailure(() => openDatabase(file))).toMatch(/newer\.db was written by a newer RLMScope \(schema version 999/);
    expect(storeFailure(() => openDatabase(file, { readonly: true }))).toMatch(/was written by a newer RLMScope/);
  });

  it('opens read-only: reads work, writes fail, and a missing file is not created', () => {
    const { db, file, dir } = tempDatabase();
    new RunStore(db).createRun(newRun({ runId: 'r' }));
    const reader = openDatabase(file, { readonly: true });
    expect(new RunStore(reader).getRun('r')?.status).toBe('running');
    expect(() => reader.exec(`DELETE FROM runs`)).toThrow(/readonly/);
    reader.close();
    const missing = join(dir, 'missing', 'x.db');
    expect(storeFailure(() => openDatabase(missing, { readonly: true }))).toMatch(/^cannot open .*x\.db/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it('keeps every committed node of a writer killed mid-run, and the run stays running until marked', async () => {
    const file = join(tempFolder(), 'killed.db');
    const writer = fork(join(__dirname, 'testing/writer.ts'), [file, 'killed-run'], {
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
    const store = new RunStore(db);
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
