// The node index counts its times and codes its models from its run's row (IndexBase,
// shared/nodeIndex.ts: created_at, root_model, sub_model), so a stored chunk of it (migration
// 008) is right only for the run's row as it was. The store never changes those columns; this
// drops a run's chunks if anything does, as migration 008's triggers do for its nodes.
import type { Migration } from './migration';

export const migration: Migration = {
  version: 9,
  name: 'index-base-trigger',
  up(db) {
    db.exec(`
      CREATE TRIGGER runs_base_update_drops_index_chunks AFTER UPDATE OF created_at, root_model, sub_model ON runs
      BEGIN DELETE FROM node_index_chunks WHERE run_id = OLD.id; END;
    `);
  },
};
