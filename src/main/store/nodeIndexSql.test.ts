// The index's tuples as SQLite writes them, read back by the page's decoder: whatever a node
// holds, the page gets the row the store has (getNodes, the store's own tuples), live or from
// chunks; a value the decoder has no code for is refused, never drawn as something else.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { NodeKind } from '../../shared/domain/node';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { decodeNodeIndex, encodeNodeIndex, NODE_INDEX_ENCODING } from '../../shared/nodeIndex';
import { labelOf } from '../interop/rlmsLog/nodes';
import { tempDatabase, tempFolder } from '../testing/tempDatabase';
import { openDatabase } from './database';
import { migrate } from './migrate';
import { migrations } from './migrations';
import { MAX_BASE_MODEL_BYTES } from './nodeIndexSql';
import { openRunReader } from './runReader';
import { RunRepository, type WholeRun, type WholeRunNode } from './runRepository';

function run(runId: string, size: number, over: Partial<WholeRun> = {}): WholeRun {
  const nodes: WholeRunNode[] = [];
  for (let i = 0; i < size; i++) {
    const kind: NodeKind = i === 0 ? 'rlm' : i % 7 === 0 ? 'cell' : 'llm';
    const call = kind === 'llm';
    nodes.push({
      id: i + 1,
      parentId: i === 0 ? null : 1,
      kind,
      depth: i % 3,
      seq: i,
      status: (['completed', 'failed', 'running', 'stopped', 'interrupted'] as const)[i % 5]!,
      startedAt: 1_796_589_675_846 + i * 37,
      endedAt: i % 13 === 0 ? null : 1_796_589_675_846 + i * 37 + (i % 4) * 1000,
      label: `ünïcödé “q” \\ \u202e 🧪 \n #${i}`,
      model: call ? (['root-m', 'sub-m', 'third-m'] as const)[i % 3]! : null,
      purpose: call ? (i % 2 === 0 ? 'turn' : 'sub') : null,
      inputTokens: call ? 100 + i : null,
      outputTokens: call ? i % 5 : null,
      cachedTokens: call ? (i % 6 === 0 ? null : 3) : null,
      costUsd: call ? (i % 9 === 0 ? null : (i * 0.1 + 0.2) / 3) : null,
      usageEstimated: i % 17 === 0,
      cached: i % 19 === 0,
      payload: { text: `node ${i}` },
    });
  }
  return {
    runId, origin: 'imported', source: 't.jsonl', createdAt: 1_796_589_675_800, endedAt: 1_796_589_999_999, status: 'completed',
    query: 'q', rootModel: 'root-m', subModel: 'sub-m', baseUrl: 'u', limits: DEFAULT_LIMITS, seed: 1,
    answer: 'a', stopReason: null, error: null, iterations: 1, maxDepthReached: 0, nodes, ...over,
  };
}

function setUp() {
  const { db } = tempDatabase();
  const store = new RunRepository(db);
  /** The whole index as the page reads it: every page decoded, in order. */
  const pageRows = (runId: string, limit = 1000) => {
    const rows = [];
    for (let afterId = 0; ; ) {
      const page = store.getNodeIndexPage(runId, afterId, limit, afterId === 0);
      rows.push(...decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, bytes: page.bytes, base: page.base }));
      if (page.count < limit || page.lastId === null) return rows;
      afterId = page.lastId;
    }
  };
  return { db, store, pageRows };
}

function tuples(store: RunRepository, runId: string): unknown[][] {
  return JSON.parse(Buffer.from(store.getNodeIndexPage(runId, 0).bytes).toString('utf8')) as unknown[][];
}

describe("the index's tuples as the store writes them", () => {
  it('decode to the rows the store has, every field, live and from chunks', async () => {
    const { store, pageRows } = setUp();
    store.insertWholeRun(run('r', 2500));
    const rows = store.getNodes('r');
    expect(rows).toHaveLength(2500);
    expect(pageRows('r')).toEqual(rows);
    expect(pageRows('r', 7)).toEqual(rows);
    await store.cacheNodeIndex('r');
    expect(pageRows('r')).toEqual(rows);
  });

  it('code the run\'s two models and count times from its start; a call leaves its subtree out', () => {
    const { store } = setUp();
    store.insertWholeRun(run('r', 8));
    const [root, turn, sub, third] = tuples(store, 'r');
    expect(root).toHaveLength(21);
    expect(root!.slice(6, 8)).toEqual([46, null]);
    expect(turn).toEqual([2, 1, 1, 1, 1, 2, 83, 1000, expect.any(String), 1, 1, 101, 1, 3, expect.any(Number), 0]);
    expect([sub![9], third![9]]).toEqual(['third-m', 0]);
    expect(store.getNodeIndexPage('r', 0).base).toEqual({ time: 1_796_589_675_800, models: ['root-m', 'sub-m'] });
  });

  // The table is STRICT: a time is a whole number, but not always one to count from.
  it('write odd values whole and read them back exactly: huge times, nulls, sums that are not a call\'s', () => {
    const { db, store, pageRows } = setUp();
    store.insertWholeRun(run('r', 30));
    const set = (id: number, assignments: string) => db.prepare(`UPDATE nodes SET ${assignments} WHERE run_id = 'r' AND id = ?`).run(id);
    set(4, 'started_at = 9007199254740993, ended_at = 9007199254740999');
    set(5, 'started_at = -9223372036854775808, ended_at = 9223372036854775807');
    set(6, 'usage_estimated = 7');
    set(8, 'sub_input_tokens = 5');
    set(9, 'sub_priced_cost_usd = 0.5');
    set(10, 'sub_model_calls = 2');
    set(11, 'input_tokens = NULL, sub_input_tokens = 0');
    set(12, "model = 'root-m', purpose = NULL");
    expect(pageRows('r')).toEqual(store.getNodes('r'));
    const written = tuples(store, 'r');
    // Whole, as the digits SQLite holds (JSON.parse then rounds them as it rounds any such number).
    const bytes = Buffer.from(store.getNodeIndexPage('r', 0).bytes).toString('utf8');
    expect(bytes).toContain(',[9007199254740993],[9007199254740999],');
    expect(bytes).toContain(',[-9223372036854775808],[9223372036854775807],');
    expect([written[3]![6], written[4]![7]]).toEqual([[2 ** 53], [2 ** 63]]);
    for (const id of [8, 9, 10, 11]) expect(written[id - 1], `node ${id}`).toHaveLength(21);
  });

  it('code no model name longer than the base carries, and read such a run whole', () => {
    const { store, pageRows } = setUp();
    const long = 'm'.repeat(MAX_BASE_MODEL_BYTES + 1);
    const hostile = run('r', 20, { rootModel: long, subModel: 'sub-m' });
    for (const node of hostile.nodes) if (node.model === 'root-m') node.model = long;
    store.insertWholeRun(hostile);
    const page = store.getNodeIndexPage('r', 0);
    expect(page.base.models).toEqual([null, 'sub-m']);
    expect(pageRows('r')).toEqual(store.getNodes('r'));
    expect(pageRows('r').filter((node) => node.model === long)).not.toHaveLength(0);
  });

  // SQLite's length() counts characters up to the first NUL, and skips any run of continuation
  // bytes after a lead byte: neither says how large the header gets.
  it('code no model name whose header would be large, whatever characters it holds', () => {
    const { store, pageRows } = setUp();
    const hostile = 'm\u0000' + '\u{1F600}'.repeat(20_000);
    const emoji = '\u{1F600}'.repeat(MAX_BASE_MODEL_BYTES / 4);
    const run1 = run('r', 20, { rootModel: hostile, subModel: emoji });
    for (const node of run1.nodes) if (node.model === 'root-m') node.model = hostile;
    for (const node of run1.nodes) if (node.model === 'sub-m') node.model = emoji;
    store.insertWholeRun(run1);
    const page = store.getNodeIndexPage('r', 0);
    expect(encodeURIComponent(JSON.stringify(page.base)).length).toBeLessThan(10_000);
    expect(page.base.models).toEqual([null, emoji]);
    expect(pageRows('r')).toEqual(store.getNodes('r'));
    expect(pageRows('r').filter((node) => node.model === hostile)).not.toHaveLength(0);
  });

  // better-sqlite3 writes a lone surrogate as the bytes of its code point (ED A0 BD), which are
  // not UTF-8; getNodes reads them back as U+FFFD, as the page's TextDecoder does.
  it('read a label or model cut inside an emoji as getNodes does, not refuse the whole index', () => {
    const { store, pageRows } = setUp();
    // What labels cut with slice() held before labelOf and oneLine cut whole characters (ellipsize.ts).
    const cut = `${'a'.repeat(118)}\ud83d…`;
    expect(labelOf(`${'a'.repeat(118)}😀 and more`)).toBe(`${'a'.repeat(118)}…`);
    const hostile = run('r', 30);
    hostile.nodes[3]!.label = cut;
    hostile.nodes[4]!.label = '\udfff\ud800';
    hostile.nodes[5]!.model = 'model \ud800';
    store.insertWholeRun(hostile);
    const rows = store.getNodes('r');
    expect(rows[3]!.label).toContain('\ufffd');
    expect(pageRows('r')).toEqual(rows);
  });

  // CAST(text AS BLOB) gives the text in the database's encoding, which a file made before
  // RLMScope first opened it (`PRAGMA encoding`) may have chosen as UTF-16.
  it('are UTF-8 in a database SQLite keeps in UTF-16, live and from chunks', async () => {
    const file = join(tempFolder(), 'utf16.db');
    const made = new Database(file);
    made.pragma("encoding = 'UTF-16le'");
    made.exec('CREATE TABLE t (x); DROP TABLE t');
    made.close();
    const db = openDatabase(file);
    expect(db.pragma('encoding', { simple: true })).toBe('UTF-16le');
    const store = new RunRepository(db);
    store.insertWholeRun(run('r', 1200));
    const rows = store.getNodes('r');
    const read = () => decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, ...store.getNodeIndexPage('r', 0, 1000) });
    expect(read()).toEqual(rows.slice(0, 1000));
    await store.cacheNodeIndex('r');
    expect(db.prepare(`SELECT count(*) FROM node_index_chunks WHERE run_id = 'r'`).pluck().get()).toBe(2);
    expect(read()).toEqual(rows.slice(0, 1000));
    db.close();
    const reader = openRunReader(file);
    expect(decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, ...reader.getNodeIndexPage('r', 0) })).toEqual(rows);
    reader.close();
  });

  // `rlmscope show --db` and the like open a database read-only as it is: no `cached` before schema
  // 6, no chunks table before 8, and at 8 the chunks the tuples-1 index stored.
  it('read an older database opened read-only as getNodes does, never serving its tuples-1 chunks', () => {
    const { db, file } = tempDatabase();
    const store = new RunRepository(db);
    store.insertWholeRun(run('r', 2500));
    const rows = store.getNodes('r');
    const columns = `run_id, id, parent_id, kind, depth, seq, status, started_at, ended_at, label, model, purpose, input_tokens, output_tokens,
      cached_tokens, cost_usd, usage_estimated, sub_priced_cost_usd, sub_unpriced_calls, sub_input_tokens, sub_output_tokens, sub_model_calls`;
    for (const version of [5, 6, 7, 8]) {
      const old = join(tempFolder(), `v${version}.db`);
      const made = new Database(old);
      migrate(made, migrations.slice(0, version));
      made.exec(`ATTACH '${file}' AS f`);
      made.exec(`INSERT INTO runs (id, created_at, status, query, root_model, sub_model, base_url, limits_json, seed, owner_pid, owner_host)
        SELECT id, created_at, status, query, root_model, sub_model, base_url, limits_json, seed, owner_pid, owner_host FROM f.runs`);
      const withCached = version >= 6 ? `${columns}, cached` : columns;
      made.exec(`INSERT INTO nodes (${withCached}) SELECT ${withCached} FROM f.nodes`);
      if (version >= 8) {
        const stored = made.prepare(`INSERT INTO node_index_chunks (run_id, after_id, last_id, count, bytes, format) VALUES ('r', ?, ?, 1000, CAST('["tuples-1"]' AS BLOB), 'tuples-1')`);
        stored.run(0, 1000);
        stored.run(1000, 2000);
      }
      made.close();
      const reader = openRunReader(old);
      const expected = version >= 6 ? rows : rows.map((node) => ({ ...node, cached: false }));
      expect(reader.getNodes('r'), `schema ${version}`).toEqual(expected);
      for (const limit of [1000, 2000]) {
        const pages = [reader.getNodeIndexPage('r', 0, limit), reader.getNodeIndexPage('r', limit, limit), reader.getNodeIndexPage('r', 2 * limit, limit)];
        expect(pages.flatMap((page) => decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, ...page })), `schema ${version}, pages of ${limit}`).toEqual(expected);
      }
      reader.close();
    }
  });

  it('agree with the encoder in the page (what tests and any other side write)', () => {
    const { store } = setUp();
    store.insertWholeRun(run('r', 300));
    const page = store.getNodeIndexPage('r', 0);
    const rows = store.getNodes('r');
    expect(decodeNodeIndex(encodeNodeIndex(rows, { base: page.base }))).toEqual(rows);
    expect(JSON.parse(Buffer.from(encodeNodeIndex(rows, { base: page.base }).bytes).toString('utf8'))).toEqual(JSON.parse(Buffer.from(page.bytes).toString('utf8')));
  });

  it('pass a kind or status the decoder has no code for as it is, which the decoder refuses', () => {
    const { db, store } = setUp();
    store.insertWholeRun(run('r', 3));
    db.pragma('ignore_check_constraints = ON');
    db.prepare(`UPDATE nodes SET status = 'paused' WHERE run_id = 'r' AND id = 2`).run();
    const page = store.getNodeIndexPage('r', 0);
    expect(tuples(store, 'r')[1]![5]).toBe('paused');
    expect(() => decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, bytes: page.bytes, base: page.base })).toThrow(/node 1 of the index is damaged/);
  });

  it('read a cached flag its CHECK did not hold back as getNodes does (cached only when 1)', () => {
    const { db, store, pageRows } = setUp();
    store.insertWholeRun(run('r', 6));
    db.pragma('ignore_check_constraints = ON');
    db.prepare(`UPDATE nodes SET cached = 3 WHERE run_id = 'r' AND id = 2`).run();
    db.prepare(`UPDATE nodes SET cached = -2 WHERE run_id = 'r' AND id = 3`).run();
    expect(store.getNodes('r').slice(1, 3).map((node) => node.cached)).toEqual([false, false]);
    expect(pageRows('r')).toEqual(store.getNodes('r'));
  });

  it('are about half the bytes of the row as it is stored', () => {
    const { db, store } = setUp();
    store.insertWholeRun(run('r', 1000));
    const stored = db.prepare(`SELECT sum(length(CAST(json_array(id, parent_id, kind, depth, seq, status, started_at, ended_at, label, model, purpose,
      input_tokens, output_tokens, cached_tokens, cost_usd, usage_estimated, sub_priced_cost_usd, sub_unpriced_calls, sub_input_tokens,
      sub_output_tokens, sub_model_calls, cached) AS BLOB))) FROM nodes WHERE run_id = 'r'`).pluck().get() as number;
    expect(store.getNodeIndexPage('r', 0).bytes.byteLength / stored).toBeLessThan(0.7);
  });
});
