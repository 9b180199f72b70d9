// The SQL the run reader reads with, prepared once per reader: preparing is the costly part of a
// statement. Only SELECTs: a database opened read-only (runReader.ts) prepares these and
// nothing that writes.
import type Database from 'better-sqlite3';
import type { InputDescription } from '../../shared/domain/run';
import type { IndexBase } from '../../shared/nodeIndex';
import { INDEX_BASE_SELECT, INDEX_TUPLE, indexBaseParams, toIndexBase } from './nodeIndexSql';
import { NODE_COLUMNS, nodeColumns, type NodeTuple } from './nodeTuple';
import { runPreviewColumns, type RunRecord, type ValuePage } from './runRows';

export type RunReadStatements = ReturnType<typeof prepareReadStatements>;

const EMPTY_LIST = new TextEncoder().encode('[]');

export function prepareReadStatements(db: Database.Database) {
  const columns = new Set(db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('runs')`).all().map((c) => c.name));
  const runColumns = runPreviewColumns({ origin: columns.has('origin'), recording: columns.has('recording'), fork: columns.has('cached_calls'), signals: columns.has('signals') });
  const hasCached = db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('nodes') WHERE name = 'cached'`).get() !== undefined;
  // The subquery reads the columns the table has; the array names them, as the subquery does.
  const nodeSelect = nodeColumns({ cached: hasCached });
  const indexBase = db.prepare<{ runId: string }, { base_time: number; base_root: string | null; base_sub: string | null }>(INDEX_BASE_SELECT);
  // LIMIT -1 is SQLite's "no limit". As a blob, the JSON comes out as the bytes it is sent as,
  // never a string in between: the text's bytes in the database's encoding, UTF-8 unless the file
  // was made UTF-16 before RLMScope first opened it, whose text is encoded here instead.
  const utf8 = db.pragma('encoding', { simple: true }) === 'UTF-8';
  const nodePage = db.prepare<
    { runId: string; afterId: number; limit: number } & ReturnType<typeof indexBaseParams>,
    { json: Uint8Array | string; count: number; lastId: number | null }
  >(
    `SELECT ${utf8 ? `CAST(json_group_array(${INDEX_TUPLE}) AS BLOB)` : `json_group_array(${INDEX_TUPLE})`} AS json, count(*) AS count, max(id) AS lastId
     FROM (SELECT ${nodeSelect} FROM nodes WHERE run_id = @runId AND id > @afterId ORDER BY id LIMIT @limit)`,
  );
  return {
    listRuns: db.prepare<{ limit: number; offset: number; search: string | null; preview: number }, RunRecord>(
      `SELECT ${runColumns} FROM runs
       WHERE @search IS NULL
          OR instr(lower(query), @search) > 0 OR instr(lower(id), @search) > 0
          OR instr(lower(root_model), @search) > 0 OR instr(lower(sub_model), @search) > 0
       ORDER BY created_at DESC, id DESC
       LIMIT @limit OFFSET @offset`,
    ),
    getRun: db.prepare<{ runId: string; preview: number }, RunRecord>(`SELECT ${runColumns} FROM runs WHERE id = @runId`),
    // One page of a value, cut by SQLite: only the page crosses into JavaScript.
    readValue: {
      query: db.prepare<{ runId: string; offset: number; length: number }, ValuePage>(
        `SELECT substr(query, @offset + 1, @length) AS text, length(query) AS chars FROM runs WHERE id = @runId`,
      ),
      answer: db.prepare<{ runId: string; offset: number; length: number }, ValuePage>(
        `SELECT substr(answer, @offset + 1, @length) AS text, length(answer) AS chars FROM runs WHERE id = @runId`,
      ),
      error: db.prepare<{ runId: string; offset: number; length: number }, ValuePage>(
        `SELECT substr(error, @offset + 1, @length) AS text, length(error) AS chars FROM runs WHERE id = @runId`,
      ),
    },
    getInputs: db.prepare<[string], InputDescription>(
      `SELECT name, bytes, hash FROM run_inputs WHERE run_id = ? ORDER BY ord`,
    ),
    // The whole index as ONE JSON text built inside SQLite: better-sqlite3 makes a JS value per
    // column per row, which for 100,000 rows of 21 columns took three to four times as long as
    // JSON.parse of the same rows. Exact: SQLite writes reals with the digits to round-trip.
    getNodes: db
      .prepare<[string], string>(
        // The ordered subquery is a primary-key range scan that the aggregate consumes in order;
        // json_group_array(… ORDER BY id) would sort the rows again in a temp b-tree.
        `SELECT json_group_array(json_array(${NODE_COLUMNS}))
         FROM (SELECT ${nodeSelect} FROM nodes WHERE run_id = ? ORDER BY id)`,
      )
      .pluck(),
    // A page of the index in its compact form (shared/nodeIndex.ts), counting from its run's
    // base, read with it: call it inside the transaction the page's other reads are in.
    getNodePage: {
      source: nodePage.source,
      get(params: { runId: string; afterId: number; limit: number }): { json: Uint8Array; count: number; lastId: number | null; base: IndexBase } {
        const base = toIndexBase(indexBase.get({ runId: params.runId }));
        const page = nodePage.get({ ...params, ...indexBaseParams(base) });
        const json = typeof page?.json === 'string' ? new TextEncoder().encode(page.json) : (page?.json ?? EMPTY_LIST);
        return { json, count: page?.count ?? 0, lastId: page?.lastId ?? null, base };
      },
    },
    getIndexBase: (runId: string): IndexBase => toIndexBase(indexBase.get({ runId })),
    // One node as the store's own tuple.
    getNode: db.prepare<{ runId: string; id: number }, NodeTuple>(`SELECT ${nodeSelect} FROM nodes WHERE run_id = @runId AND id = @id`).raw(true),
    countNodes: db.prepare<[string], number>(`SELECT count(*) FROM nodes WHERE run_id = ?`).pluck(),
    // What the user steered (NodePayload.steering), from the root RLM's payload alone: a run's
    // detail says whether it can be re-executed without reading any other payload.
    getSteering: db
      .prepare<[string], string | null>(`SELECT CASE WHEN json_valid(body) THEN json_extract(body, '$.steering') END FROM node_payloads WHERE run_id = ? AND node_id = 1`)
      .pluck(),
    getPayload: db.prepare<[string, number], { body: unknown }>(
      `SELECT body FROM node_payloads WHERE run_id = ? AND node_id = ?`,
    ),
    // The payloads of a batch of nodes (a JSON array of ids), in one statement.
    getPayloads: db.prepare<{ runId: string; ids: string }, { id: number; body: unknown }>(
      `SELECT node_id AS id, body FROM node_payloads WHERE run_id = @runId AND node_id IN (SELECT value FROM json_each(@ids))`,
    ),
  };
}
