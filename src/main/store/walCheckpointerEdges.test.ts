// The checkpoint worker at the edges (red-team, issue 13): closed while it checkpoints a large
// WAL, and the database file deleted under a running writer.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from './database';
import { tempFolder } from '../testing/tempDatabase';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('background WAL checkpoints at the edges', () => {
  it('closes promptly while the worker checkpoints a large WAL, losing no commit', async () => {
    const file = join(tempFolder(), 'busy.db');
    const db = openDatabase(file, { backgroundCheckpoints: true });
    db.exec('CREATE TABLE t (body TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const many = db.transaction(() => {
      for (let i = 0; i < 8000; i++) insert.run('x'.repeat(4000));
    });
    many();
    // The pause the worker waits for, then close about when its checkpoint has begun.
    await sleep(220);
    const began = Date.now();
    closeDatabase(db);
    expect(Date.now() - began).toBeLessThan(5000);
    const reread = new Database(file, { readonly: true });
    expect(reread.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 8000 });
    reread.close();
  }, 60_000);

  it('goes on and closes when the database file is deleted under the writer', async () => {
    const dir = tempFolder();
    const file = join(dir, 'gone.db');
    const db = openDatabase(file, { backgroundCheckpoints: true });
    db.exec('CREATE TABLE t (body TEXT)');
    db.prepare('INSERT INTO t VALUES (?)').run('before');
    rmSync(file);
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    db.prepare('INSERT INTO t VALUES (?)').run('after');
    await sleep(400);
    expect(() => closeDatabase(db)).not.toThrow();
    expect(existsSync(file)).toBe(false);
  }, 60_000);
});
