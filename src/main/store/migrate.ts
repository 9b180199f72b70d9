// Schema migrations by `PRAGMA user_version`: one migration per file under ./migrations, applied in
// order, each in its own transaction together with the version bump, so a crash leaves the
// database at the last migration that fully applied, never half-way through one.
import type Database from 'better-sqlite3';
import { RlmError } from '../../shared/errors';
import { migrations as allMigrations } from './migrations';
import type { Migration } from './migrations/migration';

export type { Migration } from './migrations/migration';

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function latestVersion(migrations: readonly Migration[] = allMigrations): number {
  return migrations.at(-1)?.version ?? 0;
}

/** Runs every pending migration; returns the versions applied (empty when already up to date). */
export function migrate(db: Database.Database, migrations: readonly Migration[] = allMigrations): number[] {
  checkOrder(migrations);
  const current = schemaVersion(db);
  if (current > latestVersion(migrations)) {
    throw new RlmError(
      'STORE_FAILED',
      `was written by a newer RLMScope (schema version ${current}; this version knows up to ${latestVersion(migrations)})`,
    );
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    const apply = db.transaction((): boolean => {
      // Another process opening the same file may have migrated since we read the version.
      if (schemaVersion(db) >= migration.version) return false;
      migration.up(db);
      // user_version lives in the file header, which is written inside the transaction.
      db.pragma(`user_version = ${migration.version}`);
      return true;
    });
    try {
      // IMMEDIATE takes the write lock before reading the version, so two processes opening the
      // same file cannot both apply a migration.
      if (apply.immediate()) applied.push(migration.version);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RlmError('STORE_FAILED', `migration ${migration.version} (${migration.name}) failed: ${reason}`);
    }
  }
  return applied;
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`);
    }
  });
}
