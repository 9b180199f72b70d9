// The node index of an ended run kept encoded, in chunks (migration 008): opening a 100,000-node
// run read its index live at ~30 ms of SQLite JSON building per 10,000-node page; from chunks a
// page is a copy (issue 13: the whole index in the page in ≤ 300 ms).
//
// A chunk is what getNodePage (runReadStatements.ts) gives for the INDEX_CHUNK nodes after
// `after_id`, stored as it came: a page served from chunks is their JSON arrays joined, byte for
// byte the live page, and there is no second encoder to drift from it. Invariants the code below
// keeps, and the tests check:
// - a stored chunk is the live statement's answer now: any write to a run's nodes drops every
//   chunk of the run (the triggers of migration 008), and a chunk is written in one transaction
//   with the read it stores;
// - a run's chunks are a prefix of its chain (after_id 0, then each chunk's last_id): the fill
//   starts at 0 and writes a chunk only after its predecessor, so a drop in the middle of a fill
//   sends it back to 0;
// - the last chunk holds fewer than INDEX_CHUNK nodes (none when the run ends on a chunk's edge):
//   that is how a reader knows it reached the end, as the live page's `count < limit` does;
// - chunks are served only for a run that has ended.
// Anything else (a missing chunk, a page that is not whole chunks) reads live.
import type Database from 'better-sqlite3';
import type { RunStatus } from '../../shared/domain/run';
import { NODE_INDEX_ENCODING } from '../../shared/nodeIndex';
import { INDEX_BASE_SELECT } from './nodeIndexSql';
import type { RunReadStatements } from './runReadStatements';

/**
 * What a chunk's bytes were written by: the index's encoding and the very SQL of the live page,
 * with that of the base it counts from and codes models against (which names are coded).
 * A chunk stored by another (a later version that adds a column, or changes the encoding) reads
 * live and is written again: nobody has to remember to empty the table.
 */
export function chunkFormat(reads: Pick<RunReadStatements, 'getNodePage'>): string {
  return `${NODE_INDEX_ENCODING}\n${INDEX_BASE_SELECT}\n${reads.getNodePage.source}`;
}

/**
 * Nodes per chunk: a divisor of the run view's pages (FIRST_PAGE_NODES, 2,000, and PAGE_NODES,
 * 10,000; src/renderer/run/indexPages.ts), so every page it asks for is whole chunks; a page of
 * another size reads live. 1,000 rather than 2,000: encoding a chunk holds this connection (the
 * engine's step commits wait), measured for the bench's 100k run at 3.3 ms a chunk (p50) against
 * 6.4 ms for 2,000, over the step commits' 5 ms worst; 3.8 ms (mean) since the smaller tuples-2,
 * whose codes SQLite computes for every node. Changing it needs a migration that empties
 * node_index_chunks: the end of a run is read from a chunk's count.
 */
export const INDEX_CHUNK = 1000;

/** The statuses a run never leaves: only their indexes are kept (an active run's nodes change). */
const ENDED: ReadonlySet<string> = new Set<RunStatus>(['completed', 'stopped', 'failed', 'interrupted']);

/** A page joined from chunks, as getNodePage gives it. */
export interface ChunkedPage {
  bytes: Uint8Array;
  count: number;
  lastId: number | null;
  /**
   * The run's nodes, when asked for and all of its chunks are stored (they are a prefix of the
   * chain, so its last chunk being there means all are); else null, to count live (~10 ms for
   * 100,000 nodes: counting reads every node).
   */
  total: number | null;
}

/** The page from chunks; or null, with `missing` when chunks could have served it but one is not stored. */
export type ChunkRead = { page: ChunkedPage; missing: false } | { page: null; missing: boolean };

export type ReadChunks = (runId: string, afterId: number, limit: number, withTotal: boolean) => ChunkRead;

interface ChunkRow {
  lastId: number | null;
  count: number;
  bytes: Uint8Array;
}

const NOT_CACHEABLE: ChunkRead = { page: null, missing: false };
const MISSING: ChunkRead = { page: null, missing: true };

/**
 * Reads pages from chunks; null when the database has no chunks table (a schema before 8 opened
 * read-only), whose pages all read live. Call inside the page's read transaction.
 */
export function prepareChunkReads(db: Database.Database, format: string): ReadChunks | null {
  if (!hasChunksTable(db)) return null;
  const status = db.prepare<[string], string>(`SELECT status FROM runs WHERE id = ?`).pluck();
  const chunk = db.prepare<[string, number, string], ChunkRow>(`SELECT last_id AS lastId, count, bytes FROM node_index_chunks WHERE run_id = ? AND after_id = ? AND format = ?`);
  const total = db.prepare<[string, string], number>(`SELECT sum(count) FROM node_index_chunks WHERE run_id = ? AND format = ? HAVING min(count) < ${INDEX_CHUNK}`).pluck();
  // `limit` -1: all of the rest (SQLite's "no limit"), as getNodePage takes it.
  return (runId, afterId, limit, withTotal) => {
    if (limit !== -1 && (limit <= 0 || limit % INDEX_CHUNK !== 0)) return NOT_CACHEABLE;
    const runStatus = status.get(runId);
    if (runStatus === undefined || !ENDED.has(runStatus)) return NOT_CACHEABLE;
    const parts: Uint8Array[] = [];
    let count = 0;
    let lastId: number | null = null;
    let after = afterId;
    for (;;) {
      const row = chunk.get(runId, after, format);
      if (!row) return MISSING;
      if (row.count > 0) {
        // Never more than asked for (a chunk of another size would give more).
        if (row.lastId === null || (limit !== -1 && count + row.count > limit)) return MISSING;
        parts.push(row.bytes);
        count += row.count;
        lastId = after = row.lastId;
      }
      // The run's end, or exactly `limit` nodes: the live page would hold the same.
      if (row.count < INDEX_CHUNK || count === limit) break;
    }
    return { page: { bytes: joinJsonArrays(parts), count, lastId, total: withTotal ? (total.get(runId, format) ?? null) : null }, missing: false };
  };
}

export function hasChunksTable(db: Database.Database): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'node_index_chunks'`).get() !== undefined;
}

const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const COMMA = 0x2c;

/**
 * JSON arrays (as json_group_array writes them: `[` items joined by `,` `]`, never empty items)
 * as one array, in a buffer of its own (what ownBytes gives the live page).
 */
export function joinJsonArrays(parts: readonly Uint8Array[]): Uint8Array {
  const inner = parts.filter((part) => part.byteLength > 2);
  const size = 2 + inner.reduce((sum, part) => sum + part.byteLength - 2, 0) + Math.max(0, inner.length - 1);
  const out = new Uint8Array(size);
  out[0] = OPEN;
  let at = 1;
  inner.forEach((part, index) => {
    if (index > 0) out[at++] = COMMA;
    out.set(part.subarray(1, part.byteLength - 1), at);
    at += part.byteLength - 2;
  });
  out[at] = CLOSE;
  return out;
}

/**
 * Writes the chunks of ended runs, one chunk per transaction with the event loop let go between
 * chunks: 100,000 nodes cost ~300 ms to encode, which in one go would hold every other write of
 * this connection (the engine's step commits, ≤ 5 ms) for as long.
 */
export class NodeIndexChunkWriter {
  private readonly filling = new Map<string, Promise<number>>();
  /** Starts a fill waiting out its delay now. */
  private readonly waking = new Map<string, () => void>();
  private readonly writeChunk;

  constructor(
    private readonly db: Database.Database,
    reads: Pick<RunReadStatements, 'getNodePage'>,
  ) {
    const format = chunkFormat(reads);
    const s = {
      status: db.prepare<[string], string>(`SELECT status FROM runs WHERE id = ?`).pluck(),
      stored: db.prepare<[string, number, string], { lastId: number | null; count: number }>(`SELECT last_id AS lastId, count FROM node_index_chunks WHERE run_id = ? AND after_id = ? AND format = ?`),
      // Chunks another format wrote: dropped when the run's fill starts over from its first chunk.
      dropOthers: db.prepare<[string, string]>(`DELETE FROM node_index_chunks WHERE run_id = ? AND format <> ?`),
      // The run's last chunk: with the chunks a prefix of the chain, all of them are stored.
      hasEnd: db.prepare<[string, string], number>(`SELECT 1 FROM node_index_chunks WHERE run_id = ? AND format = ? AND count < ${INDEX_CHUNK}`).pluck(),
      // The chunk that ends at `after_id` (a run has ≤ 50 chunks per 100,000 nodes: the scan is short).
      hasBefore: db.prepare<[string, number, string], number>(`SELECT 1 FROM node_index_chunks WHERE run_id = ? AND last_id = ? AND format = ? AND count = ${INDEX_CHUNK}`).pluck(),
      insert: db.prepare<[string, number, number | null, number, Uint8Array, string]>(`INSERT INTO node_index_chunks (run_id, after_id, last_id, count, bytes, format) VALUES (?, ?, ?, ?, ?, ?)`),
    };
    // Deferred, not IMMEDIATE: the encoding reads, and only the insert takes the write lock, so
    // another process's writes wait for an insert, not for the encoding. If one wrote in between,
    // SQLite refuses the insert (SQLITE_BUSY_SNAPSHOT) and the fill stops: what is stored is right.
    // `next`: the next chunk's after_id; null at the run's end or when the run may not be kept.
    this.writeChunk = db.transaction((runId: string, afterId: number): { next: number | null; written: boolean } => {
      const status = s.status.get(runId);
      if (status === undefined || !ENDED.has(status)) return { next: null, written: false };
      if (afterId === 0 && s.hasEnd.get(runId, format) !== undefined) return { next: null, written: false };
      if (afterId === 0) s.dropOthers.run(runId, format);
      // The chunks before were dropped (a node written since): start again from the first.
      if (afterId !== 0 && s.hasBefore.get(runId, afterId, format) === undefined) return { next: 0, written: false };
      let chunk = s.stored.get(runId, afterId, format);
      const written = chunk === undefined;
      if (!chunk) {
        const page = reads.getNodePage.get({ runId, afterId, limit: INDEX_CHUNK });
        if (!page) throw new Error(`the node index of run ${runId} read nothing`);
        s.insert.run(runId, afterId, page.lastId, page.count, page.json, format);
        chunk = page;
      }
      return { next: chunk.count < INDEX_CHUNK || chunk.lastId === null ? null : chunk.lastId, written };
    });
  }

  /**
   * Stores the chunks of `runId` not stored yet, if the run has ended; resolves with the chunks
   * it wrote when done, at once to the fill already under way for the run. Stops early, without
   * error, when the database closes; rejects when a chunk cannot be written (the file busy with
   * another process's write, a full disk), leaving the rest to read live. Starts on a later turn of the event loop: never inside the
   * caller's transaction, which may yet roll the run's end back.
   */
  fill(runId: string, delayMs = 0): Promise<number> {
    let filling = this.filling.get(runId);
    if (!filling) {
      filling = this.fillChunks(runId, delayMs).finally(() => this.filling.delete(runId));
      this.filling.set(runId, filling);
    } else if (delayMs === 0) {
      this.waking.get(runId)?.();
    }
    return filling;
  }

  /**
   * fill, in the background, after `delayMs`: a failure (a busy or full disk) leaves the rest to
   * read live.
   */
  schedule(runId: string, delayMs = 0): void {
    this.fill(runId, delayMs).catch(() => undefined);
  }

  private async fillChunks(runId: string, delayMs: number): Promise<number> {
    if (delayMs > 0) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waking.delete(runId);
          resolve();
        };
        // unref: a fill still waiting never keeps a finished command's process alive.
        const timer = setTimeout(wake, delayMs).unref();
        this.waking.set(runId, wake);
      });
    }
    let afterId: number | null = 0;
    let written = 0;
    // Each restart (the run's nodes written mid-fill) reads the run again: a run written to again
    // and again is left to read live rather than encoded without end.
    let restarts = 0;
    while (afterId !== null && restarts <= 2) {
      await nextTurn();
      if (!this.db.open) return written;
      // A transaction left open across turns (none in this code today) is waited out, not joined.
      if (this.db.inTransaction) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      const step: { next: number | null; written: boolean } = this.writeChunk(runId, afterId);
      if (step.next === 0) restarts++;
      if (step.written) written++;
      afterId = step.next;
    }
    return written;
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
