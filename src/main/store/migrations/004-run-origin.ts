// Where a run came from: recorded here ('native'), or imported from a file ('imported': a log of
// the reference library, later a portable `.rlmscope` file), and the name of that file. An
// imported run is shown as such and never re-executed (its code may be Python).
import type { Migration } from './migration';

export const migration: Migration = {
  version: 4,
  name: 'run-origin',
  up(db) {
    // Every run made before this migration was recorded here. The CHECK keeps the column to the
    // two values RunOrigin names; ADD COLUMN on a STRICT table keeps the type checks.
    db.exec(`
      ALTER TABLE runs ADD COLUMN origin TEXT NOT NULL DEFAULT 'native' CHECK (origin IN ('native', 'imported'));
      ALTER TABLE runs ADD COLUMN source TEXT;
    `);
  },
};
