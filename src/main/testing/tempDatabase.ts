// Test helpers: a real database file in a fresh temp folder, closed and removed when the test ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { onTestFinished } from 'vitest';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { openDatabase } from '../store/database';
import type { NewRun } from '../store/runRepository';

/** Call inside a test: the folder is removed when the test finishes. */
export function tempFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rlmscope-store-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Call inside a test: an opened, migrated database in its own folder. */
export function tempDatabase(): { db: Database.Database; file: string; dir: string } {
  const dir = tempFolder();
  const file = join(dir, 'rlmscope.db');
  const db = openDatabase(file);
  // onTestFinished hooks run last-registered first: the database closes before its folder goes.
  onTestFinished(() => {
    if (db.open) db.close();
  });
  return { db, file, dir };
}

export function newRun(overrides: Partial<NewRun> = {}): NewRun {
  return {
    runId: 'run-1',
    createdAt: 1_000,
    query: 'What is in the documents?',
    rootModel: 'gpt-root',
    subModel: 'gpt-sub',
    baseUrl: 'https://api.example.com/v1',
    limits: DEFAULT_LIMITS,
    seed: 42,
    ownerPid: process.pid,
    ownerHost: 'this-host',
    ...overrides,
  };
}

/** The error a function throws, for assertions on its code and message. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
