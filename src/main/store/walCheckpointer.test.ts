// WAL checkpoints on a worker thread (issue 13): the WAL is copied into the database in the gaps
// between bursts of commits, not inside them; closing leaves the file without a WAL; a process
// killed mid-run loses no commit.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from './database';
import { tempFolder } from '../testing/tempDatabase';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Frames in the WAL, and how many of them are in the database already (a PASSIVE checkpoint that
 * copies nothing new). Asked again while the worker's own checkpoint holds the lock (SQLite then
 * answers -1 for both): the peek must not race the thing it looks at.
 */
async function walState(file: string): Promise<{ log: number; checkpointed: number }> {
  for (let attempt = 0; ; attempt++) {
    const peek = new Database(file);
    try {
      const [row] = peek.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
      if (row!.log !== -1 || attempt >= 40) return { log: row!.log, checkpointed: row!.checkpointed };
    } finally {
      peek.close();
    }
    await sleep(50);
  }
}

describe('background WAL checkpoints', () => {
  it('leave commits alone during a burst and copy the WAL in once the writes pause; closing leaves no WAL', async () => {
    const file = join(tempFolder(), 'runs.db');
    const db = openDatabase(file, { backgroundCheckpoints: true });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    db.exec('CREATE TABLE t (body TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 200; i++) insert.run('x'.repeat(4000));
    // Nothing is in the database file yet: every page is in the WAL.
    const before = statSync(file).size;
    expect(before).toBeLessThan(100_000);
    // The pause: the worker sees the WAL unchanged for IDLE_MS and copies it into the file (no
    // other connection is opened meanwhile: the file's size is the worker's doing).
    for (let waited = 0; waited < 5000 && statSync(file).size === before; waited += 50) await sleep(50);
    expect(statSync(file).size).toBeGreaterThan(200 * 4000);
    const state = await walState(file);
    expect(state.log).toBeGreaterThan(200);
    expect(state.checkpointed).toBe(state.log);
    // The next commit restarts the WAL from its start: it pays no checkpoint of its own.
    insert.run('after the pause');
    expect((await walState(file)).log).toBeLessThan(10);
    closeDatabase(db);
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reread = new Database(file, { readonly: true });
    expect(reread.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 201 });
    reread.close();
  });

  it('loses no commit when the process is killed mid-burst', () => {
    const file = join(tempFolder(), 'killed.db');
    // A child writes 2,000 committed rows with background checkpoints, pausing once so the
    // worker checkpoints mid-way, then is killed with SIGKILL before it can close anything.
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${join(__dirname, 'database.ts')}').then(async (m) => {
          const { openDatabase } = m.openDatabase ? m : m.default;
          const db = openDatabase(${JSON.stringify(file)}, { backgroundCheckpoints: true });
          db.exec('CREATE TABLE t (n INTEGER)');
          const insert = db.prepare('INSERT INTO t VALUES (?)');
          for (let i = 0; i < 1000; i++) insert.run(i);
          await new Promise((r) => setTimeout(r, 600));
          for (let i = 1000; i < 2000; i++) insert.run(i);
          process.kill(process.pid, 'SIGKILL');
        })`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.signal).toBe('SIGKILL');
    const db = new Database(file);
    expect(db.prepare('SELECT count(*) AS n, max(n) AS last FROM t').get()).toEqual({ n: 2000, last: 1999 });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  }, 90_000);
});

describe('a checkpoint worker that cannot open the database', () => {
  it('creates nothing, and stopping it does not wait', async () => {
    const { WalCheckpointer } = await import('./walCheckpointer');
    const dir = tempFolder();
    // No such file: the worker's connection fails (fileMustExist) and it checkpoints nothing.
    const checkpointer = WalCheckpointer.start(join(dir, 'missing.db'));
    await sleep(300);
    const started = Date.now();
    checkpointer.stop();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
  });
});
