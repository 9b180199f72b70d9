// The database given as --db, through the built command: someone else's SQLite file is refused
// untouched, and `runs`/`show` read a database they may not write, writing nothing.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { closeDatabase, openDatabase } from '../store/database';
import { RunRepository } from '../store/runRepository';
import { jsonOf, runCli } from '../testing/cli';

const dir = mkdtempSync(join(tmpdir(), 'rlm-db-access-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a write would change: the file's bytes and mtime, and the names in its folder (-wal, -shm). */
function snapshot(file: string) {
  return { bytes: readFileSync(file), mtimeMs: statSync(file).mtimeMs, folder: readdirSync(dirname(file)).sort() };
}

function lastLine(stderr: string): string {
  return stderr.trim().split('\n').at(-1) ?? '';
}

describe('rlmscope --db', () => {
  it("refuses someone else's SQLite file untouched, for writing (run) and reading (runs)", async () => {
    const file = join(dir, 'foreign', 'accounts.db');
    const input = join(dir, 'input.txt');
    writeFileSync(input, 'hello\n');
    const folder = dirname(file);
    // Made by another program: a table of its own, rollback journal.
    mkdirSync(folder);
    const foreign = new Database(file);
    foreign.exec(`CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts (name) VALUES ('a')`);
    foreign.close();
    const before = snapshot(file);
    // No model is reachable: refusing must come before any call.
    const run = await runCli(['run', '--query', 'q', '--file', input, '--db', file, '--base-url', 'http://127.0.0.1:9/v1', '--api-key', 'k']);
    expect(run.code).toBe(2);
    expect(lastLine(run.stderr)).toBe(`rlmscope: ${file} is not an RLMScope database: it has no RLMScope mark and tables of its own (accounts); it was left untouched`);
    const runs = await runCli(['runs', '--db', file]);
    expect(runs.code).toBe(2);
    expect(lastLine(runs.stderr)).toMatch(/is not an RLMScope database: .*left untouched$/);
    expect(snapshot(file)).toEqual(before);
  });

  it('lists and shows a read-only database (0444) writing nothing: same bytes, mtime, and no -wal/-shm', async () => {
    const file = join(dir, 'readonly', 'runs.db');
    const db = openDatabase(file);
    // Its owner is gone (no such pid, a heartbeat from long ago): a writer would mark it interrupted.
    new RunRepository(db).createRun({
      runId: 'r-dead', createdAt: 1_000, query: 'what is here?', rootModel: 'm', subModel: 'm', baseUrl: 'http://x/v1',
      limits: DEFAULT_LIMITS, seed: 1, ownerPid: 2 ** 22 + 17, ownerHost: 'gone-host',
    });
    closeDatabase(db);
    chmodSync(file, 0o444);
    const before = snapshot(file);
    expect(before.folder).toEqual(['runs.db']);

    const runs = await runCli(['runs', '--json', '--db', file]);
    expect(runs.stderr).toBe('');
    expect(runs.code).toBe(0);
    // Listed as it was left: marking it interrupted is a write, left to the next writer.
    expect(jsonOf<Array<{ runId: string; status: string }>>(runs)).toEqual([expect.objectContaining({ runId: 'r-dead', status: 'running' })]);
    const show = await runCli(['show', 'r-dead', '--db', file]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^run r-dead {2}running\nquery: what is here\?/);
    const missing = await runCli(['show', 'r-nope', '--db', file]);
    expect(missing.code).toBe(2);
    expect(lastLine(missing.stderr)).toBe('rlmscope: no run r-nope');
    expect(snapshot(file)).toEqual(before);
  });

  it('lists and shows (text and --json) a read-only file in a read-only folder (0555), writing nothing', async () => {
    const folder = join(dir, 'readonly-folder');
    const file = join(folder, 'runs.db');
    const db = openDatabase(file);
    const store = new RunRepository(db);
    store.createRun({
      runId: 'r-kept', createdAt: 2_000, query: 'kept here?', rootModel: 'm', subModel: 'm', baseUrl: 'http://x/v1',
      limits: DEFAULT_LIMITS, seed: 1, ownerPid: 2 ** 22 + 17, ownerHost: 'gone-host',
    });
    store.addNode('r-kept', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 2_001, label: 'kept here?' }, { query: 'kept here?' });
    store.finishRun('r-kept', { status: 'completed', endedAt: 2_010, answer: 'yes', stopReason: null, error: null });
    closeDatabase(db);
    chmodSync(file, 0o444);
    chmodSync(folder, 0o555);
    try {
      const before = snapshot(file);
      expect(before.folder).toEqual(['runs.db']);
      const runs = await runCli(['runs', '--db', file]);
      expect(runs.stderr).toBe('');
      expect(runs.code).toBe(0);
      expect(runs.stdout).toContain('r-kept');
      const show = await runCli(['show', 'r-kept', '--db', file]);
      expect(show.code).toBe(0);
      expect(show.stdout).toMatch(/^run r-kept {2}completed\nquery: kept here\?/);
      const json = await runCli(['show', 'r-kept', '--json', '--db', file]);
      expect(json.code).toBe(0);
      expect(jsonOf<{ run: { runId: string }; nodes: unknown[] }>(json)).toMatchObject({ run: { runId: 'r-kept' }, nodes: [expect.objectContaining({ id: 1 })] });
      expect(snapshot(file)).toEqual(before);
    } finally {
      chmodSync(folder, 0o755);
    }
  });

  it('says when the folder of the database does not exist, and creates nothing', async () => {
    const file = join(dir, 'nowhere', 'deeper', 'runs.db');
    for (const args of [['runs'], ['show', 'r-1']]) {
      const result = await runCli([...args, '--db', file]);
      expect(result.code).toBe(2);
      expect(lastLine(result.stderr)).toBe(`rlmscope: no database at ${file}: the folder ${dirname(file)} does not exist`);
    }
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });
});
