// Run-away signals (issue 13): the signals that hold for a run, kept with it as one JSON array of
// RunSignal (shared/domain/signals.ts). Written throttled while the run goes on and once at its
// end, so an interrupted run keeps its last set. NULL: none recorded (a run before this migration,
// an imported reference log), read as no signals.
import type { Migration } from './migration';

export const migration: Migration = {
  version: 7,
  name: 'run-signals',
  up(db) {
    // json_valid keeps a damaged write out; the reader still checks every entry (runRows.ts).
    db.exec(`ALTER TABLE runs ADD COLUMN signals TEXT CHECK (signals IS NULL OR json_valid(signals));`);
  },
};
