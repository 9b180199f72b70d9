// Reading runs: the list, one run, its node index, its payloads and long values page by page.
// RunRepository reads through this too; `openRunReader` is what reads a database and nothing more
// (`rlmscope runs`, `show`, and next `export`, `diff`): DESIGN §2, reading runs needs no write
// access and writes nothing.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { NodePayload, NodeRow } from '../../shared/domain/node';
import type { RunDetail, RunSummary } from '../../shared/domain/run';
import { RlmError } from '../../shared/errors';
import { LIST_PREVIEW_CHARS, SHOW_PREVIEW_CHARS, type RunValueField } from '../../shared/valuePreview';
import { ownBytes, type IndexBase } from '../../shared/nodeIndex';
import { openDatabase } from './database';
import { documentRanges, type DocumentRanges } from './documentRanges';
import { chunkFormat, prepareChunkReads } from './nodeIndexChunks';
import { prepareReadStatements } from './runReadStatements';
import { toNodeRow, type NodeTuple } from './nodeTuple';
import { parsePayload, parseSteering, toRunDetail, toRunSummary } from './runRows';
import { guard } from './storeErrors';

export interface ListRunsOptions {
  limit: number;
  offset: number;
  /** Case-insensitive substring of the query, the run id or either model. */
  search?: string;
}

/** One page of a run's query, answer or error, and the value's full length. */
export interface ValuePageRead {
  text: string;
  offset: number;
  totalChars: number;
}

/** A page of the node index as SQLite writes it: a JSON array of IndexTuple, in UTF-8. */
export interface NodeIndexPage {
  bytes: Uint8Array;
  /** What the tuples count from (the run's start and models). */
  base: IndexBase;
  count: number;
  lastId: number | null;
  /** The run's nodes in all; null unless asked for (counting them reads them all). */
  total: number | null;
}

export class RunReader {
  protected readonly reads;
  private readonly nodeIndexPage;

  /** Reads `db` without owning it: whoever opened the database closes it. */
  constructor(db: Database.Database) {
    const reads = prepareReadStatements(db);
    this.reads = reads;
    const readChunks = prepareChunkReads(db, chunkFormat(reads));
    // One read transaction: the page, its base, the run's status that allows chunks, and the
    // total come from the same moment.
    this.nodeIndexPage = db.transaction((runId: string, afterId: number, limit: number, withTotal: boolean): NodeIndexPage => {
      const chunked = readChunks?.(runId, afterId, limit, withTotal);
      if (chunked?.missing) this.chunkMissing(runId);
      if (chunked?.page) {
        const total = withTotal ? (chunked.page.total ?? reads.countNodes.get(runId) ?? 0) : null;
        return { ...chunked.page, base: reads.getIndexBase(runId), total };
      }
      const page = reads.getNodePage.get({ runId, afterId, limit });
      return {
        bytes: ownBytes(page.json),
        base: page.base,
        count: page.count,
        lastId: page.lastId,
        total: withTotal ? (reads.countNodes.get(runId) ?? 0) : null,
      };
    });
  }

  /**
   * A page of an ended run that its stored chunks (nodeIndexChunks.ts) could have given was read
   * live, one of them not being stored. A reader writes nothing; the repository fills them.
   */
  protected chunkMissing(_runId: string): void {}

  /** Newest first. */
  listRuns(options: ListRunsOptions): RunSummary[] {
    const search = options.search?.trim() ? options.search.trim().toLowerCase() : null;
    return guard('listRuns', () =>
      this.reads.listRuns.all({ limit: options.limit, offset: options.offset, search, preview: LIST_PREVIEW_CHARS }).map(toRunSummary),
    );
  }

  getRun(runId: string): RunDetail | null {
    return guard('getRun', () => {
      const row = this.reads.getRun.get({ runId, preview: SHOW_PREVIEW_CHARS });
      return row ? toRunDetail(row, this.reads.getInputs.all(runId), parseSteering(this.reads.getSteering.get(runId))) : null;
    });
  }

  /**
   * `length` characters of a run's query, answer or error from `offset` (SQLite's characters,
   * as `answerChars` counts them), and the value's full length; null when the run has no such
   * run or value.
   */
  readValue(runId: string, field: RunValueField, offset: number, length: number): ValuePageRead | null {
    return guard('readValue', () => {
      const row = this.reads.readValue[field].get({ runId, offset, length });
      if (!row || row.chars === null) return null;
      return { text: row.text ?? '', offset, totalChars: row.chars };
    });
  }

  /** The whole node index of a run, in creation order, without payloads. */
  getNodes(runId: string): NodeRow[] {
    return guard('getNodes', () => {
      const rows = JSON.parse(this.reads.getNodes.get(runId) ?? '[]') as NodeTuple[];
      return rows.map(toNodeRow);
    });
  }

  /** One node's row without its payload; null when the run has no such node. */
  getNode(runId: string, nodeId: number): NodeRow | null {
    return guard('getNode', () => {
      const tuple = this.reads.getNode.get({ runId, id: nodeId }) as NodeTuple | undefined;
      return tuple ? toNodeRow(tuple) : null;
    });
  }

  /**
   * A page of the node index as SQLite writes it (a JSON array of IndexTuple), for
   * `runs.nodeIndex`: the nodes after `afterId` in creation order, at most `limit` (all without),
   * and with `withTotal` the run's node count, read in the same transaction.
   */
  getNodeIndexPage(runId: string, afterId: number, limit?: number, withTotal = true): NodeIndexPage {
    // LIMIT -1 is SQLite's "no limit".
    return guard('getNodeIndexPage', () => this.nodeIndexPage(runId, afterId, limit ?? -1, withTotal));
  }

  /** null when the node has no payload; a damaged payload comes back as `{ error }`. */
  getPayload(runId: string, nodeId: number): NodePayload | null {
    return guard('getPayload', () => {
      const row = this.reads.getPayload.get(runId, nodeId);
      return row ? parsePayload(row.body) : null;
    });
  }

  /**
   * The payloads of the given nodes, in one statement (`diff` reads a run in batches of these);
   * nodes without a payload are left out, a damaged payload comes back as `{ error }`.
   */
  getPayloads(runId: string, nodeIds: readonly number[]): Map<number, NodePayload> {
    return guard('getPayloads', () => {
      const rows = this.reads.getPayloads.all({ runId, ids: JSON.stringify(nodeIds) });
      return new Map(rows.map((row) => [row.id, parsePayload(row.body)]));
    });
  }
}

/** A reader over a database it opened itself: close it when done. */
export interface RunFileReader extends RunReader {
  /** Byte ranges of the stored documents (what an export of a run's inputs reads); prepared on first use. */
  documents(): DocumentRanges;
  close(): void;
}

/**
 * Opens the database at `path` only to read it, with SQLite's own read-only open: no file or
 * folder is created, nothing is migrated or marked, so it works on a file the user may only read
 * and on a read-only folder or mount (a writer leaves the file in rollback mode when it closes,
 * so that no -shm is needed: see closeDatabase). It starts
 * nothing else (no sandbox, no model client). Marking the runs of dead processes `interrupted`
 * is left to whatever opens the database for writing (a run, `serve`, the app); until then such
 * a run reads with the status it was left in.
 */
export function openRunReader(path: string): RunFileReader {
  if (!existsSync(path)) {
    const folder = dirname(resolve(path));
    throw new RlmError('FILE_NOT_FOUND', existsSync(folder) ? `no database at ${path}` : `no database at ${path}: the folder ${folder} does not exist`);
  }
  const db = openDatabase(path, { readonly: true });
  try {
    let documents: DocumentRanges | null = null;
    return Object.assign(new RunReader(db), { documents: () => (documents ??= documentRanges(db)), close: () => db.close() });
  } catch (error) {
    db.close();
    throw error;
  }
}
