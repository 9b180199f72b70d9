import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { RlmError } from '../../shared/errors';
import { latestVersion, migrate, schemaVersion, type Migration } from './migrate';
import { migrations } from './migrations';
import { tempFolder, thrown } from '../testing/tempDatabase';

const first: Migration = { version: 1, name: 'first', up: (db) => db.exec('CREATE TABLE a (x)') };
const second: Migration = { version: 2, name: 'second', up: (db) => db.exec('CREATE TABLE b (x)') };
const broken: Migration = {
  version: 2,
  name: 'broken',
  up: (db) => db.exec('CREATE TABLE b (x); CREATE TABLE a (x)'), // the second statement fails
};

function database(): Database.Database {
  return new Database(join(tempFolder(), 'test.db'));
}

describe('migrate', () => {
  it('applies the pending migrations in order and records the version', () => {
    const db = database();
    expect(migrate(db, [first])).toEqual([1]);
    expect(migrate(db, [first, second])).toEqual([2]);
    expect(migrate(db, [first, second])).toEqual([]);
    expect(schemaVersion(db)).toBe(2);
    db.close();
  });

  it('rolls a failed migration back whole and stays at the last good version', () => {
    const db = database();
    const error = thrown(() => migrate(db, [first, broken]));
    expect(error).toBeInstanceOf(RlmError);
    expect((error as RlmError).code).toBe('STORE_FAILED');
    expect((error as RlmError).message).toMatch(/migration 2 \(broken\) failed: table a already exists/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'b'`).get()).toBeUndefined();
    db.close();
  });

  it('refuses a database newer than the migrations it knows', () => {
    const db = database();
    db.pragma('user_version = 3');
    expect((thrown(() => migrate(db, [first, second])) as RlmError).message).toMatch(/newer RLMScope/);
    db.close();
  });

  it('refuses migrations that are not numbered 1, 2, 3…', () => {
    const db = database();
    expect(() => migrate(db, [second])).toThrow(/expected 1/);
    db.close();
  });

  it('lists the real migrations numbered without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(latestVersion()).toBe(migrations.length);
  });
});
