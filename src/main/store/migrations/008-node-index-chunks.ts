// The node index of a finished run, kept encoded (issue 13: a 100,000-node run's index in the page
// in ≤ 300 ms). Reading a page live costs SQLite ~3 ms per 1,000 nodes to build the JSON; a page
// of stored chunks costs a copy. A chunk is the JSON array getNodePage gives for the INDEX_CHUNK
// nodes after `after_id` (nodeIndexChunks.ts), byte for byte: pages are chunks joined, never a
// second encoder. Written only for runs that have ended; the last chunk of a run holds fewer than
// INDEX_CHUNK nodes (none for a run that ends on a chunk's edge), which is how a reader knows it
// reached the end.
//
// Never stale: any write to a run's nodes drops all of that run's chunks, by trigger, so a write
// added later in any code path cannot leave an old index behind. A dropped or missing chunk reads
// live. Deleting a run drops them by the foreign key (and the nodes' delete trigger).
import type { Migration } from './migration';

export const migration: Migration = {
  version: 8,
  name: 'node-index-chunks',
  up(db) {
    // A rowid table behind a unique key: a chunk of 1,000 nodes is ~160 KB, and WITHOUT ROWID
    // suits only small rows (as node_payloads).
    db.exec(`
      CREATE TABLE node_index_chunks (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        after_id INTEGER NOT NULL,
        last_id INTEGER,
        count INTEGER NOT NULL CHECK (count >= 0),
        bytes BLOB NOT NULL,
        -- What wrote the bytes (nodeIndexChunks.ts, chunkFormat): a chunk of another is never served.
        format TEXT NOT NULL,
        UNIQUE (run_id, after_id)
      ) STRICT;

      CREATE TRIGGER nodes_insert_drops_index_chunks AFTER INSERT ON nodes
      BEGIN DELETE FROM node_index_chunks WHERE run_id = NEW.run_id; END;
      -- A node's run_id is part of its key and never changes: OLD's run is NEW's.
      CREATE TRIGGER nodes_update_drops_index_chunks AFTER UPDATE ON nodes
      BEGIN DELETE FROM node_index_chunks WHERE run_id = OLD.run_id; END;
      CREATE TRIGGER nodes_delete_drops_index_chunks AFTER DELETE ON nodes
      BEGIN DELETE FROM node_index_chunks WHERE run_id = OLD.run_id; END;
    `);
  },
};
