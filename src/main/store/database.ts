// Opens the one database file that holds everything (runs, nodes, payloads, documents).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { RlmError } from '../../shared/errors';
import { RLMSCOPE_APPLICATION_ID } from './applicationId';
import { latestVersion, migrate, schemaVersion } from './migrate';
import { BACKSTOP_PAGES, WAL_SIZE_LIMIT_BYTES, WalCheckpointer } from './walCheckpointer';

export interface OpenDatabaseOptions {
  /** Path of a better_sqlite3.node built for the running ABI: Electron passes its own build. */
  nativeBinding?: string;
  /** Open without writing; the file must exist and hold a schema this version can read. */
  readonly?: boolean;
  /**
   * WAL checkpoints on a worker thread instead of inside commits (walCheckpointer.ts): for the
   * long-lived writer whose commits are on the engine's path (the service). closeDatabase stops it.
   */
  backgroundCheckpoints?: boolean;
}

/**
 * The oldest schema the reading code works with. Migration 3 only marks the header, so a
 * database made before it can be read as it is (a read-only file could never be upgraded).
 */
const READABLE_FROM_VERSION = 2;
/** Tables every RLMScope database has had since migration 1: an unmarked file with them is ours. */
const OUR_TABLES = ['runs', 'nodes', 'node_payloads', 'documents', 'document_chunks'];

/** SQLite's answers for a file that is not a database, or one whose pages are damaged. */
const NOT_A_DATABASE = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Database.Database {
  const readonly = options.readonly ?? false;
  const inMemory = file === ':memory:' || file === '';
  if (!inMemory && !readonly) mkdirSync(dirname(file), { recursive: true });

  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly, fileMustExist: readonly, nativeBinding: options.nativeBinding });
    // Before anything that writes (the switch to WAL, a migration): someone else's file is
    // refused as it was found. Reading the header is the first statement, so a file of random
    // bytes fails here (SQLITE_NOTADB).
    checkOwnership(db);
    configure(db, readonly);
    const version = schemaVersion(db);
    if (readonly) checkReadable(version);
    else prepareSchema(db, version);
    if (options.backgroundCheckpoints && !readonly && !inMemory) checkpointInBackground(db, file, options.nativeBinding);
    return db;
  } catch (error) {
    db?.close();
    throw openFailure(file, error);
  }
}

/**
 * Ours: marked with RLMScope's application_id; or unmarked but made by RLMScope before the mark
 * (user_version 1…latest and our tables; migration 3 marks it); or empty (a new file). Anything
 * else is someone else's: refused, untouched.
 */
function checkOwnership(db: Database.Database): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  if (applicationId === RLMSCOPE_APPLICATION_ID) return;
  if (applicationId !== 0) {
    throw new NotOurs(`its application_id is ${hex(applicationId)} (RLMScope's is ${hex(RLMSCOPE_APPLICATION_ID)}); it was left untouched`);
  }
  const tables = db
    .prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .all()
    .map((row) => row.name);
  const version = schemaVersion(db);
  if (tables.length === 0 && version === 0) return;
  if (version >= 1 && OUR_TABLES.every((name) => tables.includes(name))) return;
  const shown = tables.length > 3 ? `${tables.slice(0, 3).join(', ')}, …` : tables.join(', ');
  throw new NotOurs(`it has no RLMScope mark and ${tables.length ? `tables of its own (${shown})` : `user_version ${version}`}; it was left untouched`);
}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

function configure(db: Database.Database, readonly: boolean): void {
  if (!readonly) db.pragma('journal_mode = WAL');
  // In WAL mode NORMAL syncs only at checkpoints: every commit survives a killed process (the
  // WAL is in the OS's page cache), and only a power loss or OS crash can lose the last commits.
  // That is the failure we must survive (the app or CLI killed mid-run) at a fraction of FULL's
  // per-commit fsync, which the engine's commit-per-step could not afford.
  db.pragma('synchronous = NORMAL');
  // A checkpoint (copying the WAL into the database, two fsyncs) runs inside whichever commit
  // crosses the threshold. At SQLite's default of 1000 pages one commit in a few hundred paid
  // 5–10 ms, enough to break the engine's p99 budget of 2 ms per step; 10000 pages (~40 MB of
  // WAL) makes those commits ten times rarer.
  if (!readonly) db.pragma('wal_autocheckpoint = 10000');
  db.pragma('foreign_keys = ON');
  // The desktop app and the CLI may share the file; wait for the other's write to finish.
  db.pragma('busy_timeout = 5000');
}

const checkpointers = new WeakMap<Database.Database, WalCheckpointer>();

/**
 * Off the engine's path: with wal_autocheckpoint at 10000 pages, one step commit in a few
 * thousand still ran a checkpoint of ~40 MB (40–200 ms measured, bench/commits.ts). The writer's
 * own checkpoint becomes a far backstop and a worker checkpoints every 250 ms (walCheckpointer.ts).
 */
function checkpointInBackground(db: Database.Database, file: string, nativeBinding: string | undefined): void {
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  checkpointers.set(db, WalCheckpointer.start(file, nativeBinding));
}

function checkReadable(version: number): void {
  const latest = latestVersion();
  if (version > latest) throw newerVersion(version, latest);
  if (version < READABLE_FROM_VERSION) {
    throw new RlmError('STORE_FAILED', `has schema version ${version}; open it once for writing to upgrade it`);
  }
}

function prepareSchema(db: Database.Database, version: number): void {
  const latest = latestVersion();
  if (version > latest) throw newerVersion(version, latest);
  try {
    migrate(db);
  } catch (error) {
    throw new RlmError('STORE_FAILED', `could not be upgraded from schema version ${version}: ${message(error)}`);
  }
}

function newerVersion(version: number, latest: number): RlmError {
  return new RlmError(
    'STORE_FAILED',
    `was written by a newer RLMScope (schema version ${version}; this version knows up to ${latest})`,
  );
}

class NotOurs extends Error {}

/** Every failure names the file, so the message stands on its own in a dialog or a terminal. */
function openFailure(file: string, error: unknown): RlmError {
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof NotOurs || (typeof code === 'string' && NOT_A_DATABASE.has(code))) {
    return new RlmError('STORE_FAILED', `${file} is not an RLMScope database: ${message(error)}`);
  }
  // Our own messages start with a verb ("was written by…"), to read after the file name.
  if (error instanceof RlmError) return new RlmError(error.code, `${file} ${error.message}`);
  return new RlmError('STORE_FAILED', `cannot open ${file}: ${message(error)}`);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Closes a database opened for writing and, when no other connection has it open, leaves it in
 * rollback-journal mode. A WAL database cannot be read, even read-only, without its -shm file:
 * SQLite creates -wal and -shm beside it for every reader (and leaves them), and where it cannot
 * (a read-only folder or mount) the open fails. Leaving the file in rollback mode when the last
 * writer is done lets readers (`runs`, `show`) read it writing nothing at all; the next writer
 * switches to WAL again (one header write). Best effort: while another connection has the file
 * open, SQLite refuses the switch and the file stays in WAL mode, which is correct too.
 */
export function closeDatabase(db: Database.Database): void {
  // The checkpoint worker's connection first: the switch below needs this one to be the last.
  checkpointers.get(db)?.stop();
  checkpointers.delete(db);
  if (db.open && !db.readonly && !db.memory) {
    try {
      // No waiting: another connection holding the file is the normal case for the switch to fail.
      db.pragma('busy_timeout = 0');
      db.pragma('journal_mode = DELETE');
    } catch {
      // Busy or locked: another process uses the file; it stays in WAL mode, its WAL copied in
      // and emptied as far as the other allows (never waiting: the other may be mid-commit).
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // the other's next checkpoint does it
      }
    }
  }
  db.close();
}
