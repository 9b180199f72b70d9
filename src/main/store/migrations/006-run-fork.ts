// Forks (issue 12, DESIGN §11): a run re-run from another's recording, with one step changed. The
// run keeps where it comes from — the parent run and the node of it that was edited (NULL: no
// edit, other settings only) — and how many of its model calls the parent's recording answered;
// each such call's node is marked cached (no request sent, no cost).
// No foreign key to the parent run: deleting a parent keeps its forks, which then name a run
// that is gone (the UI says so) rather than being deleted with it or blocking the delete.
import type { Migration } from './migration';

export const migration: Migration = {
  version: 6,
  name: 'run-fork',
  up(db) {
    // ADD COLUMN on a STRICT table keeps the type checks; the defaults cover every older run and node.
    db.exec(`
      ALTER TABLE nodes ADD COLUMN cached INTEGER NOT NULL DEFAULT 0 CHECK (cached IN (0, 1));
      ALTER TABLE runs ADD COLUMN forked_from_run TEXT;
      ALTER TABLE runs ADD COLUMN forked_from_node INTEGER;
      ALTER TABLE runs ADD COLUMN cached_calls INTEGER NOT NULL DEFAULT 0 CHECK (cached_calls >= 0);
    `);
  },
};
