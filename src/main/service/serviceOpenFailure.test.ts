// A service whose open fails after the database is open (red-team, issue 13): the file is busy
// with another process's long write when the service marks dead runs interrupted. The failed open
// must leave nothing holding the file: not its connection, not its checkpoint worker's.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../store/database';
import { createForkLauncher } from '../sandbox/host/forkLauncher';
import { tempFolder } from '../testing/tempDatabase';
import { RlmService } from './rlmService';

describe('RlmService.open failing after the database is open', () => {
  it('closes what it opened: once the other writer is done, the file is left without a WAL', () => {
    const dbPath = join(tempFolder(), 'runs.db');
    const setup = openDatabase(dbPath);
    // A run whose owner is gone: opening the service marks it interrupted (a write).
    setup
      .prepare(
        `INSERT INTO runs (id, created_at, status, query, root_model, sub_model, base_url, limits_json, seed, owner_pid, owner_host, heartbeat_at)
         VALUES ('r-dead', 1, 'running', 'q', 'm', 'm', 'u', '{}', 0, 1, 'elsewhere', 1)`,
      )
      .run();
    closeDatabase(setup);
    // Another process's write, longer than the service's busy timeout (5 s); a writer keeps the file in WAL mode.
    const other = new Database(dbPath);
    other.pragma('journal_mode = WAL');
    other.exec('BEGIN IMMEDIATE');
    expect(() => RlmService.open({ dbPath, baseUrl: 'http://127.0.0.1:9/v1', rootModel: 'm', subModel: 'm', launcher: createForkLauncher() })).toThrow(
      'markInterrupted: database is locked',
    );
    other.exec('ROLLBACK');
    other.close();
    // The last connection closing switches the file out of WAL mode: only if no other is open.
    const last = openDatabase(dbPath);
    closeDatabase(last);
    expect(existsSync(`${dbPath}-wal`)).toBe(false);
  }, 30_000);
});
