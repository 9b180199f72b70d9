// Which version of the recording a run was made with (shared/domain/recording.ts): the runs made
// before this migration are 0 — their cells did not keep their host calls, the order the code
// received the results in, or how many Math.random values they drew — so they are known not to be
// replayable exactly (DESIGN §11). The engine writes the current version when it creates a run.
import type { Migration } from './migration';

export const migration: Migration = {
  version: 5,
  name: 'run-recording',
  up(db) {
    // ADD COLUMN on a STRICT table keeps the type check; the default covers every older run and
    // every run written whole (an imported log: its recording is not ours).
    db.exec(`ALTER TABLE runs ADD COLUMN recording INTEGER NOT NULL DEFAULT 0 CHECK (recording >= 0);`);
  },
};
