// Which runs use which documents: their inputs, and the contexts of their child RLMs (until now
// named only inside rlm node payloads). Deleting a run must know whether another run still uses
// a document, and searching every payload of every run for its hash would hold the write lock
// for as long as the database is large.
import type { Migration } from './migration';

export const migration: Migration = {
  version: 2,
  name: 'run-documents',
  up(db) {
    db.exec(`
      -- No foreign key to documents: a child RLM's document is named before its row is complete.
      CREATE TABLE run_documents (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        hash TEXT NOT NULL,
        PRIMARY KEY (run_id, hash)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX run_documents_by_hash ON run_documents (hash);

      INSERT OR IGNORE INTO run_documents (run_id, hash) SELECT run_id, hash FROM run_inputs;
      -- A damaged payload (not JSON, or documents not an array of strings) names nothing.
      INSERT OR IGNORE INTO run_documents (run_id, hash)
        SELECT nodes.run_id, doc.value
        FROM nodes
        JOIN node_payloads ON node_payloads.run_id = nodes.run_id AND node_payloads.node_id = nodes.id
        JOIN json_each(CASE WHEN json_valid(node_payloads.body) AND json_type(node_payloads.body, '$.documents') = 'array'
                            THEN json_extract(node_payloads.body, '$.documents') ELSE '[]' END) AS doc
        WHERE nodes.kind = 'rlm' AND doc.type = 'text';
    `);
  },
};
