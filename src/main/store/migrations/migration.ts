// What one migration is. Apart from migrate.ts, which runs them: the migrations name this type
// and migrate.ts imports the migrations, so with the type there the two imported each other.
import type Database from 'better-sqlite3';

export interface Migration {
  /** The `user_version` the database has once this migration has run; 1, 2, 3… without gaps. */
  version: number;
  name: string;
  up(db: Database.Database): void;
}
