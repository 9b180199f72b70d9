// "Export run" from the page (the `interop.export` method): the run written as `rlmscope export
// --format` writes it, from a snapshot of the database, to where each mode puts files.
// - Browser mode: a one-time download ticket the page follows with a plain link; the browser
//   server (server/httpHandler.ts) redeems it and streams the file into the response, so a large
//   run never sits whole in the page's memory or the server's.
// - Desktop app: a path the user chose in a save dialog (shown by Electron main, which passes it
//   in as `chooseExportPath`); the file is written whole or not at all (wholeFile.ts).
// The page never names a path, in either mode.
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import type Database from 'better-sqlite3';
import { exportFileName, type ExportFormat, type ExportOutcome } from '../../shared/api/interop';
import { ACTIVE_RUN_STATUSES } from '../../shared/domain/run';
import { RlmError } from '../../shared/errors';
import { exporterFor, type ExportSource } from '../interop/exporters';
import { isDatabaseFile, writeWhole } from '../interop/wholeFile';
import { openDatabase } from '../store/database';
import { documentRanges } from '../store/documentRanges';
import { RunReader } from '../store/runReader';
import { isInMemory } from './serviceConfig';

export interface ExportRequest {
  runId: string;
  format: ExportFormat;
}

/** The desktop app's save dialog: the path the user chose, or null when they cancelled it. */
export type ChooseExportPath = (offer: { fileName: string; format: ExportFormat }) => Promise<string | null>;

/** A download ready to stream: what the browser server sends for a ticket. */
export interface ExportDownload {
  fileName: string;
  contentType: string;
  /** Streams the whole export into `out` (which it does not end) from a snapshot of the database taken now. */
  write(out: Writable): Promise<void>;
}

/** What the browser server reads downloads from. */
export interface ExportDownloads {
  /**
   * The download a ticket stands for, taking the ticket (it works once); null for a ticket that
   * is unknown, used or expired. NOT_FOUND when the run was deleted since the ticket was issued.
   */
  open(ticket: string): ExportDownload | null;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  rlmscope: 'application/gzip',
  otlp: 'application/json',
  rlms: 'application/x-ndjson',
};

/**
 * A ticket is good for this long: the page follows it at once. Short, so that a link that leaked
 * (a log, a screenshot) is dead by the time anyone could use it; it also needs the page's cookie.
 */
export const TICKET_TTL_MS = 60_000;
/** Tickets not yet used, at most: a page that asks again and again cannot grow the map without end. */
export const MAX_OPEN_TICKETS = 64;
/** The browser server's path for a ticket: `/downloads/<ticket>`. */
export const DOWNLOADS_PATH = '/downloads/';

export interface RunExportsOptions {
  /** The service's own connection: the fallback for a database in memory, which has no file to open twice. */
  db: Database.Database;
  dbPath: string;
  nativeBinding?: string;
  now?: () => number;
}

export class RunExports implements ExportDownloads {
  private readonly tickets = new Map<string, ExportRequest & { expiresAt: number }>();
  private readonly now: () => number;
  /** Reads through the service's connection: whether a run is there, and whether it is going. */
  private readonly runs: RunReader;

  constructor(private readonly options: RunExportsOptions) {
    this.now = options.now ?? Date.now;
    this.runs = new RunReader(options.db);
  }

  /** Browser mode: a one-time link to the export. NOT_FOUND for an unknown run. */
  offerDownload(request: ExportRequest): ExportOutcome {
    const partial = this.checkRun(request.runId);
    this.dropExpired();
    if (this.tickets.size >= MAX_OPEN_TICKETS) {
      // The oldest goes: a page that never followed its links loses them, not the next export.
      const oldest = this.tickets.keys().next().value;
      if (oldest !== undefined) this.tickets.delete(oldest);
    }
    const ticket = randomBytes(24).toString('base64url');
    this.tickets.set(ticket, { ...request, expiresAt: this.now() + TICKET_TTL_MS });
    return { kind: 'download', url: `${DOWNLOADS_PATH}${ticket}`, fileName: exportFileName(request.runId, request.format), partial };
  }

  open(ticket: string): ExportDownload | null {
    this.dropExpired();
    const request = this.tickets.get(ticket);
    if (!request) return null;
    this.tickets.delete(ticket);
    // Checked now, while a refusal can still be a status; the snapshot is taken when the writing
    // starts (nothing is held open for a download that is never written).
    this.checkRun(request.runId);
    return {
      fileName: exportFileName(request.runId, request.format),
      contentType: CONTENT_TYPES[request.format],
      write: async (out) => {
        const snapshot = this.openSnapshot();
        try {
          await exporterFor(request.format)(snapshot.source, request.runId, out);
        } finally {
          snapshot.close();
        }
      },
    };
  }

  /** Desktop app: asks where (the save dialog), then writes the file whole there. */
  async saveTo(request: ExportRequest, choosePath: ChooseExportPath): Promise<ExportOutcome> {
    this.checkRun(request.runId);
    const fileName = exportFileName(request.runId, request.format);
    const path = await choosePath({ fileName, format: request.format });
    if (path === null) return { kind: 'cancelled' };
    if (isDatabaseFile(this.options.dbPath, path)) throw new RlmError('INVALID_INPUT', `cannot write ${path}: it is the database RLMScope keeps its runs in`);
    // Read again: the dialog may have stayed open while the run went on, ended or was deleted.
    const partial = this.checkRun(request.runId);
    const snapshot = this.openSnapshot();
    try {
      const bytes = await writeWhole(path, (out) => exporterFor(request.format)(snapshot.source, request.runId, out));
      return { kind: 'saved', path, fileName, bytes, partial };
    } finally {
      snapshot.close();
    }
  }

  /** Whether the run is still going (the export is then partial); NOT_FOUND when there is no such run. */
  private checkRun(runId: string): boolean {
    const run = this.runs.getRun(runId);
    if (!run) throw new RlmError('NOT_FOUND', `no run ${runId}: it may have been deleted`);
    return ACTIVE_RUN_STATUSES.includes(run.status);
  }

  /**
   * The run as it is at this moment, however long the export takes: a read-only connection of its
   * own inside one read transaction (WAL: the engine writing a running run, or a delete, goes on
   * beside it and is not seen). A database in memory is read through the service's connection.
   */
  private openSnapshot(): { source: ExportSource; close(): void } {
    const { db, dbPath, nativeBinding } = this.options;
    if (isInMemory(dbPath)) {
      const reader = new RunReader(db);
      const ranges = documentRanges(db);
      return { source: { reader, documents: () => ranges }, close: () => undefined };
    }
    const own = openDatabase(dbPath, { readonly: true, ...(nativeBinding ? { nativeBinding } : {}) });
    try {
      const reader = new RunReader(own);
      const ranges = documentRanges(own);
      own.exec('BEGIN');
      return {
        source: { reader, documents: () => ranges },
        close: () => {
          if (own.inTransaction) own.exec('COMMIT');
          own.close();
        },
      };
    } catch (error) {
      own.close();
      throw error;
    }
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [ticket, request] of this.tickets) if (request.expiresAt <= now) this.tickets.delete(ticket);
  }
}
