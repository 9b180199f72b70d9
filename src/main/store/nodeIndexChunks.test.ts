import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { NodeKind } from '../../shared/domain/node';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { ownBytes } from '../../shared/nodeIndex';
import { newRun, tempDatabase } from '../testing/tempDatabase';
import { INDEX_CHUNK, joinJsonArrays } from './nodeIndexChunks';
import { INDEX_BASE_SELECT } from './nodeIndexSql';
import { prepareRunDeletion } from './runDeletion';
import { prepareReadStatements } from './runReadStatements';
import { RunReader } from './runReader';
import { RunRepository, type WholeRun, type WholeRunNode } from './runRepository';

const FIRST_PAGE = 2000;
const PAGE = 10_000;
const LABELS = ['plain', 'ünïcödé — “quotes” and \\ backslash', '🧪 emoji 𝄞 and \u2028 line sep', 'tab\tnew\nline "q" \u0001', ''];

/** Ids 1..size (or spread out by `step`), with the odd values a real run has: nulls, fractions, unicode. */
function wholeRun(runId: string, size: number, step = 1): WholeRun {
  const nodes: WholeRunNode[] = [];
  for (let i = 0; i < size; i++) {
    const id = 1 + i * step;
    const kind: NodeKind = i === 0 ? 'rlm' : i % 7 === 0 ? 'cell' : 'llm';
    const call = kind === 'llm';
    nodes.push({
      id,
      parentId: i === 0 ? null : 1,
      kind,
      depth: 0,
      seq: i,
      status: i % 11 === 0 ? 'failed' : 'completed',
      startedAt: 1_000 + i,
      endedAt: i % 13 === 0 ? null : 1_000 + i + 7,
      label: `${LABELS[i % LABELS.length]} #${i}`,
      model: call ? 'sub-model' : null,
      purpose: call ? 'sub' : null,
      inputTokens: call ? 100 + i : null,
      outputTokens: call ? i % 5 : null,
      cachedTokens: call ? 0 : null,
      // A price unknown now and then, and reals whose shortest round-trip digits matter.
      costUsd: call ? (i % 9 === 0 ? null : (i * 0.1 + 0.2) / 3) : null,
      usageEstimated: i % 17 === 0,
      cached: i % 19 === 0,
      payload: { text: `node ${i}` },
    });
  }
  return {
    runId, origin: 'imported', source: 'test.jsonl', createdAt: 1_000, endedAt: 1_000 + size + 10, status: 'completed',
    query: 'q', rootModel: 'root', subModel: 'sub', baseUrl: 'u', limits: DEFAULT_LIMITS, seed: 1,
    answer: 'a', stopReason: null, error: null, iterations: 1, maxDepthReached: 0, nodes,
  };
}

function setUp() {
  const { db, file } = tempDatabase();
  const store = new RunRepository(db);
  const live = prepareReadStatements(db).getNodePage;
  /** The page as the live statement gives it, never from chunks. */
  const livePage = (runId: string, afterId: number, limit?: number) => {
    const page = live.get({ runId, afterId, limit: limit ?? -1 });
    return { bytes: Buffer.from(ownBytes(page?.json ?? new Uint8Array())).toString('utf8'), count: page?.count ?? 0, lastId: page?.lastId ?? null };
  };
  return { db, file, store, livePage };
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8');
}

function chunks(db: Database.Database, runId: string): { afterId: number; lastId: number | null; count: number }[] {
  return db.prepare(`SELECT after_id AS afterId, last_id AS lastId, count FROM node_index_chunks WHERE run_id = ? ORDER BY after_id`).all(runId) as never;
}

/** The pages the run view asks for: a first page of 2,000, then pages of 10,000 until one comes back short. */
function viewPages(reader: RunReader, runId: string) {
  const pages = [];
  let afterId = 0;
  let limit = FIRST_PAGE;
  for (;;) {
    const page = reader.getNodeIndexPage(runId, afterId, limit, afterId === 0);
    pages.push({ afterId, limit, page });
    if (page.count < limit || page.lastId === null) return pages;
    afterId = page.lastId;
    limit = PAGE;
  }
}

describe('the node index of an ended run, kept in chunks', () => {
  it('serves every page the view asks for, and whole indexes, byte for byte as the live statement', async () => {
    const { db, store, livePage } = setUp();
    const sizes = [0, 1, 999, 1000, 1001, 1999, 2000, 2001, 4000, 25_000];
    for (const size of sizes) store.insertWholeRun(wholeRun(`r-${size}`, size));
    // Ids with gaps (an import may skip some): chunks follow the ids there are.
    store.insertWholeRun(wholeRun('r-gaps', 12_345, 3));
    for (const size of sizes) await store.cacheNodeIndex(`r-${size}`);
    await store.cacheNodeIndex('r-gaps');

    for (const [runId, size] of [...sizes.map((s) => [`r-${s}`, s] as const), ['r-gaps', 12_345] as const]) {
      // One chunk per INDEX_CHUNK nodes, and always a last one holding fewer (none at a chunk's edge).
      expect(chunks(db, runId)).toHaveLength(Math.floor(size / INDEX_CHUNK) + 1);
      const pages = viewPages(store, runId);
      expect(pages.reduce((sum, { page }) => sum + page.count, 0)).toBe(size);
      for (const { afterId, limit, page } of pages) {
        const expected = livePage(runId, afterId, limit);
        expect({ runId, afterId, bytes: text(page.bytes), count: page.count, lastId: page.lastId }).toEqual({ runId, afterId, ...expected });
        // What `complete` is computed from: a full page unless it reaches the end.
        if (page.lastId !== null && page.lastId < (pages.at(-1)?.page.lastId ?? 0)) expect(page.count).toBe(limit);
      }
      expect(pages[0]?.page.total).toBe(size);
      expect(text(store.getNodeIndexPage(runId, 0).bytes)).toBe(livePage(runId, 0).bytes);
      expect(JSON.parse(text(store.getNodeIndexPage(runId, 0).bytes))).toHaveLength(size);
    }
  });

  it('reads live any page that is not whole chunks from a chunk\'s edge, and serves the stored bytes for those that are', async () => {
    const { db, store, livePage } = setUp();
    store.insertWholeRun(wholeRun('r', 25_000));
    await store.cacheNodeIndex('r');
    // Damage every chunk: only a page served from chunks shows it.
    db.prepare(`UPDATE node_index_chunks SET bytes = CAST('["damaged"]' AS BLOB) WHERE run_id = 'r'`).run();
    const misaligned: [number, number][] = [[1, 2000], [0, 2500], [0, 1], [999, 2000], [1999, 2000], [2000, 1999], [5, 10_000], [1500, 10_000], [2001, 10_000], [0, 0]];
    for (const [afterId, limit] of misaligned) {
      const page = store.getNodeIndexPage('r', afterId, limit);
      expect({ afterId, limit, bytes: text(page.bytes), count: page.count, lastId: page.lastId }).toEqual({ afterId, limit, ...livePage('r', afterId, limit) });
    }
    for (const [afterId, limit] of [[0, 2000], [2000, 10_000], [0, 3000], [1000, 10_000], [24_000, 10_000]] as const) {
      const page = store.getNodeIndexPage('r', afterId, limit);
      expect(text(page.bytes)).toBe(`[${Array(Math.ceil(Math.min(limit, 25_000 - afterId) / INDEX_CHUNK)).fill('"damaged"').join(',')}]`);
      expect([page.count, page.lastId]).toEqual([livePage('r', afterId, limit).count, livePage('r', afterId, limit).lastId]);
    }
  });

  it('never serves chunks another format wrote (a later version\'s columns): it reads live and writes them again', async () => {
    const { db, store, livePage } = setUp();
    store.insertWholeRun(wholeRun('r', 3500));
    await store.cacheNodeIndex('r');
    // As if written by a version whose page SQL or encoding differs: damaged and marked so.
    db.prepare(`UPDATE node_index_chunks SET bytes = CAST('["other"]' AS BLOB), format = 'tuples-0' WHERE run_id = 'r'`).run();
    expect(text(store.getNodeIndexPage('r', 0, FIRST_PAGE).bytes)).toBe(livePage('r', 0, FIRST_PAGE).bytes);
    await store.cacheNodeIndex('r');
    expect(db.prepare(`SELECT count(*) FROM node_index_chunks WHERE run_id = 'r' AND format = 'tuples-0'`).pluck().get()).toBe(0);
    expect(chunks(db, 'r')).toHaveLength(4);
    db.prepare(`UPDATE node_index_chunks SET bytes = CAST('["stored"]' AS BLOB) WHERE run_id = 'r'`).run();
    expect(text(store.getNodeIndexPage('r', 0, FIRST_PAGE).bytes)).toBe('["stored","stored"]');
  });

  // A chunk's models are coded against the base INDEX_BASE_SELECT reads: were its rule of which
  // names are coded to change, a chunk written before would decode a model as the wrong name.
  it('names the base\'s SQL in a chunk\'s format, with the page\'s', async () => {
    const { db, store } = setUp();
    store.insertWholeRun(wholeRun('r', 1500));
    await store.cacheNodeIndex('r');
    const formats = db.prepare(`SELECT DISTINCT format FROM node_index_chunks WHERE run_id = 'r'`).pluck().all() as string[];
    expect(formats).toHaveLength(1);
    expect(formats[0]).toContain(INDEX_BASE_SELECT);
    expect(formats[0]).toContain(prepareReadStatements(db).getNodePage.source);
  });

  it('drops a run\'s chunks at any write to its nodes, through the repository or raw SQL, and the next page is live and right', async () => {
    const { db, store, livePage } = setUp();
    store.insertWholeRun(wholeRun('r', 5000));
    store.insertWholeRun(wholeRun('other', 3000));
    const refill = async () => {
      await store.cacheNodeIndex('r');
      await store.cacheNodeIndex('other');
      expect(chunks(db, 'r')).toHaveLength(Math.floor(5000 / INDEX_CHUNK) + 1);
    };
    const writes: [string, () => void][] = [
      ['updateNode', () => store.updateNode('r', 4500, { label: 'relabelled' })],
      ['raw update', () => db.prepare(`UPDATE nodes SET label = 'raw' WHERE run_id = 'r' AND id = 10`).run()],
      ['raw insert', () => db.prepare(`INSERT INTO nodes (run_id, id, parent_id, kind, depth, seq, status, started_at, label) VALUES ('r', 9999, 1, 'cell', 0, 0, 'completed', 1, 'late')`).run()],
      ['raw delete', () => db.prepare(`DELETE FROM nodes WHERE run_id = 'r' AND id = 9999`).run()],
    ];
    for (const [what, write] of writes) {
      await refill();
      write();
      expect({ what, chunks: chunks(db, 'r') }).toEqual({ what, chunks: [] });
      // Another run's chunks are its own.
      expect(chunks(db, 'other')).toHaveLength(Math.floor(3000 / INDEX_CHUNK) + 1);
      for (const { afterId, limit, page } of viewPages(store, 'r')) expect(text(page.bytes)).toBe(livePage('r', afterId, limit).bytes);
    }
    expect(text(store.getNodeIndexPage('r', 2000, 10_000).bytes)).toContain('"relabelled"');
    // A page read live for want of chunks fills them again in the background.
    await store.cacheNodeIndex('r');
    expect(chunks(db, 'r')).toHaveLength(Math.floor(5000 / INDEX_CHUNK) + 1);
  });

  it('never keeps the index of a run still going, nor serves one for a run that is not ended', async () => {
    const { db, store, livePage } = setUp();
    store.createRun(newRun({ runId: 'live' }));
    store.addNode('live', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1, label: 'root' }, { query: 'q' });
    expect(await store.cacheNodeIndex('live')).toBe(0);
    store.getNodeIndexPage('live', 0, 2000);
    await store.cacheNodeIndex('live');
    expect(chunks(db, 'live')).toEqual([]);
    expect(await store.cacheNodeIndex('no-such-run')).toBe(0);

    store.insertWholeRun(wholeRun('r', 3000));
    await store.cacheNodeIndex('r');
    db.prepare(`UPDATE node_index_chunks SET bytes = CAST('["damaged"]' AS BLOB)`).run();
    db.prepare(`UPDATE runs SET status = 'running' WHERE id = 'r'`).run();
    expect(text(store.getNodeIndexPage('r', 0, 2000).bytes)).toBe(livePage('r', 0, 2000).bytes);
    db.prepare(`UPDATE runs SET status = 'paused' WHERE id = 'r'`).run();
    expect(text(store.getNodeIndexPage('r', 0, 2000).bytes)).toBe(livePage('r', 0, 2000).bytes);
    db.prepare(`UPDATE runs SET status = 'interrupted' WHERE id = 'r'`).run();
    expect(text(store.getNodeIndexPage('r', 0, 2000).bytes)).toBe(`[${Array(2000 / INDEX_CHUNK).fill('"damaged"').join(',')}]`);
  });

  it('keeps the index of a run the engine ends (finishRun), and not of an end rolled back', async () => {
    const { db, store, livePage } = setUp();
    for (const runId of ['ended', 'rolled-back']) {
      store.createRun(newRun({ runId }));
      store.inOneCommit(() => {
        for (let id = 1; id <= 2500; id++) {
          store.addNode(runId, { id, parentId: id === 1 ? null : 1, kind: id === 1 ? 'rlm' : 'llm', depth: 0, seq: id, startedAt: id, label: `n${id} ✓` }, {});
        }
      });
    }
    store.finishRun('ended', { status: 'completed', endedAt: 9_999, answer: 'x', stopReason: null, error: null });
    expect(() =>
      store.inOneCommit(() => {
        store.finishRun('rolled-back', { status: 'stopped', endedAt: 9_999, answer: null, stopReason: null, error: null });
        throw new Error('the commit fails');
      }),
    ).toThrow();
    await store.cacheNodeIndex('ended');
    await store.cacheNodeIndex('rolled-back');
    // finishRun's own fill left nothing to visit but the chunks already written.
    expect(chunks(db, 'ended').map((c) => c.count)).toEqual([...Array<number>(Math.floor(2500 / INDEX_CHUNK)).fill(INDEX_CHUNK), 2500 % INDEX_CHUNK]);
    expect(chunks(db, 'rolled-back')).toEqual([]);
    for (const { afterId, limit, page } of viewPages(store, 'ended')) expect(text(page.bytes)).toBe(livePage('ended', afterId, limit).bytes);
  });

  it('serves a run whose fill stopped half-way (the app killed): stored chunks, then live, then fills the rest', async () => {
    const { db, store, livePage } = setUp();
    store.insertWholeRun(wholeRun('r', 25_000));
    await store.cacheNodeIndex('r');
    // What a kill part-way leaves: the chunks of the first 12,000 nodes.
    db.prepare(`DELETE FROM node_index_chunks WHERE run_id = 'r' AND after_id >= 12000`).run();
    db.prepare(`UPDATE node_index_chunks SET bytes = CAST(replace(CAST(bytes AS TEXT), '"completed"', '"COMPLETED"') AS BLOB)`).run();
    const pages = viewPages(store, 'r');
    expect(pages.map(({ page }) => page.count)).toEqual([2000, 10_000, 10_000, 3000]);
    // Counted live: the chunks stored do not reach the end.
    expect(pages[0]!.page.total).toBe(25_000);
    // The first two pages are whole stored chunks; the third misses chunks and reads live.
    expect(text(pages[0]!.page.bytes)).toBe(livePage('r', 0, 2000).bytes.replaceAll('"completed"', '"COMPLETED"'));
    expect(text(pages[1]!.page.bytes)).toBe(livePage('r', 2000, 10_000).bytes.replaceAll('"completed"', '"COMPLETED"'));
    expect(text(pages[2]!.page.bytes)).toBe(livePage('r', 12_000, 10_000).bytes);
    expect(pages[3]!.page.lastId).toBe(25_000);
    await store.cacheNodeIndex('r');
    expect(chunks(db, 'r')).toHaveLength(Math.floor(25_000 / INDEX_CHUNK) + 1);
    expect(text(store.getNodeIndexPage('r', 22_000, 10_000).bytes)).toBe(livePage('r', 22_000, 10_000).bytes);
  });

  it('starts again from the first chunk when the run is written to in the middle of a fill', async () => {
    const { db, store, livePage } = setUp();
    store.insertWholeRun(wholeRun('r', 9000));
    const filling = store.cacheNodeIndex('r');
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks(db, 'r').length).toBeGreaterThan(0);
    store.updateNode('r', 1, { label: 'renamed mid-fill' });
    await filling;
    expect(chunks(db, 'r').map((c) => c.afterId)).toEqual(Array.from({ length: Math.floor(9000 / INDEX_CHUNK) + 1 }, (_, i) => i * INDEX_CHUNK));
    for (const { afterId, limit, page } of viewPages(store, 'r')) expect(text(page.bytes)).toBe(livePage('r', afterId, limit).bytes);
    expect(text(store.getNodeIndexPage('r', 0, 2000).bytes)).toContain('renamed mid-fill');
  });

  it('stops a fill quietly when the database closes', async () => {
    const { db, store } = setUp();
    store.insertWholeRun(wholeRun('r', 9000));
    const filling = store.cacheNodeIndex('r');
    db.close();
    await expect(filling).resolves.toBe(0);
  });

  it('deletes a run\'s chunks with the run', async () => {
    const { db, store } = setUp();
    store.insertWholeRun(wholeRun('r', 3000));
    store.insertWholeRun(wholeRun('kept', 100));
    await store.cacheNodeIndex('r');
    await store.cacheNodeIndex('kept');
    prepareRunDeletion(db)('r', () => false);
    expect(db.prepare(`SELECT run_id AS runId, count(*) AS n FROM node_index_chunks GROUP BY run_id`).all()).toEqual([{ runId: 'kept', n: 1 }]);
  });

  it('joins JSON arrays as one: empty ones add nothing', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(text(joinJsonArrays([]))).toBe('[]');
    expect(text(joinJsonArrays([bytes('[]'), bytes('[]')]))).toBe('[]');
    expect(text(joinJsonArrays([bytes('[1,"a"]'), bytes('[]'), bytes('[[2],{"b":3}]')]))).toBe('[1,"a",[2],{"b":3}]');
  });
});
