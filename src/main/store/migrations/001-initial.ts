// The first schema: runs, the node index, node payloads, content-addressed documents, run inputs.
import type { Migration } from './migration';

export const migration: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    // STRICT: a value of the wrong type is refused when written rather than found when read, so
    // a label is always text and a token count an integer (which getNodes' JSON read relies on).
    db.exec(`
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        ended_at INTEGER,
        status TEXT NOT NULL,
        query TEXT NOT NULL,
        root_model TEXT NOT NULL,
        sub_model TEXT NOT NULL,
        base_url TEXT NOT NULL,
        limits_json TEXT NOT NULL,
        answer TEXT,
        stop_reason TEXT,
        error TEXT,
        seed INTEGER NOT NULL,
        priced_cost_usd REAL NOT NULL DEFAULT 0,
        unpriced_calls INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cached_tokens INTEGER NOT NULL DEFAULT 0,
        model_calls INTEGER NOT NULL DEFAULT 0,
        iterations INTEGER NOT NULL DEFAULT 0,
        max_depth_reached INTEGER NOT NULL DEFAULT 0,
        owner_pid INTEGER NOT NULL,
        owner_host TEXT NOT NULL,
        heartbeat_at INTEGER
      ) STRICT;
      CREATE INDEX runs_by_created_at ON runs (created_at);
      -- markInterrupted looks for the few runs still active among many finished ones.
      CREATE INDEX runs_by_status ON runs (status);

      -- The node index, without payloads, so a tree of 100,000 nodes loads in one range scan.
      -- WITHOUT ROWID clusters the rows by (run_id, id): a run's nodes sit together in creation
      -- order, and the ancestor walk of recordUsage is one primary-key lookup per level.
      CREATE TABLE nodes (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        id INTEGER NOT NULL,
        parent_id INTEGER,
        kind TEXT NOT NULL,
        depth INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        status TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        label TEXT NOT NULL,
        model TEXT,
        purpose TEXT,
        input_tokens INTEGER,
        output_tokens INTEGER,
        cached_tokens INTEGER,
        cost_usd REAL,
        usage_estimated INTEGER NOT NULL DEFAULT 0,
        sub_priced_cost_usd REAL NOT NULL DEFAULT 0,
        sub_unpriced_calls INTEGER NOT NULL DEFAULT 0,
        sub_input_tokens INTEGER NOT NULL DEFAULT 0,
        sub_output_tokens INTEGER NOT NULL DEFAULT 0,
        sub_model_calls INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, id)
      ) STRICT, WITHOUT ROWID;

      -- Payloads can be many MB: a rowid table keeps them on overflow pages behind a small
      -- unique index (WITHOUT ROWID suits only small rows).
      CREATE TABLE node_payloads (
        run_id TEXT NOT NULL,
        node_id INTEGER NOT NULL,
        body TEXT NOT NULL,
        FOREIGN KEY (run_id, node_id) REFERENCES nodes (run_id, id) ON DELETE CASCADE
      ) STRICT;
      CREATE UNIQUE INDEX node_payloads_by_node ON node_payloads (run_id, node_id);

      -- A document is stored once by the sha256 of its bytes, however many runs use it.
      -- The documents row is written last, in the same transaction as the last chunks: a
      -- document is complete exactly when its row exists. That is also why document_chunks has
      -- no foreign key to documents: its chunks are committed in batches before the row exists.
      CREATE TABLE documents (
        hash TEXT PRIMARY KEY,
        bytes INTEGER NOT NULL,
        chunks INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE document_chunks (
        hash TEXT NOT NULL,
        idx INTEGER NOT NULL,
        data BLOB NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX document_chunks_by_hash ON document_chunks (hash, idx);

      -- No foreign key to documents: inputs are described by hash, and the documents they name
      -- are shared between runs and outlive any one of them.
      CREATE TABLE run_inputs (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        ord INTEGER NOT NULL,
        name TEXT NOT NULL,
        hash TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        PRIMARY KEY (run_id, ord)
      ) STRICT;
      CREATE INDEX run_inputs_by_hash ON run_inputs (hash);
    `);
  },
};
