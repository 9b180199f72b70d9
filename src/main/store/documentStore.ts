// Input documents, stored once by the sha256 of their bytes however many runs use them, in
// 8 MiB chunks so a 2 GB input is never held whole: not in memory, not in one transaction.
import { createHash } from 'node:crypto';
import { constants as bufferConstants } from 'node:buffer';
import { open } from 'node:fs/promises';
import type Database from 'better-sqlite3';
import { RlmError } from '../../shared/errors';

export const CHUNK_BYTES = 8 * 1024 * 1024;

/** Told the bytes read so far after each chunk of putFile's passes: `checking` (hashing), then `storing`. */
export type FileProgress = (phase: 'checking' | 'storing', doneBytes: number) => void;
/** Chunks committed per transaction: bounds both the memory held and the length of a write lock. */
const CHUNKS_PER_TRANSACTION = 4;

/** Sees a file's bytes in order as they are read; throws to refuse the file. */
export interface ByteCheck {
  update(chunk: Buffer): void;
  end(): void;
}

export interface StoredDocument {
  hash: string;
  bytes: number;
}

/** A document whose chunks are committed and whose documents row is not (stageChunks). */
export interface StagedDocument extends StoredDocument {
  chunks: number;
}

export class DocumentStore {
  private readonly statements;
  /** Puts of the same new content in flight on this connection: the second waits for the first. */
  private readonly pending = new Map<string, Promise<StoredDocument>>();

  constructor(private readonly db: Database.Database) {
    this.statements = {
      has: db.prepare<[string], { chunks: number; bytes: number }>(`SELECT chunks, bytes FROM documents WHERE hash = ?`),
      // REPLACE: chunks left by a put that died before its documents row are overwritten. The
      // content is addressed by hash, so a concurrent writer of the same hash writes the same bytes.
      putChunk: db.prepare<[string, number, Buffer]>(
        `INSERT OR REPLACE INTO document_chunks (hash, idx, data) VALUES (?, ?, ?)`,
      ),
      putDocument: db.prepare<[string, number, number, number]>(
        `INSERT OR IGNORE INTO documents (hash, bytes, chunks, created_at) VALUES (?, ?, ?, ?)`,
      ),
      countChunks: db.prepare<[string], number>(`SELECT count(*) FROM document_chunks WHERE hash = ?`).pluck(),
      getChunk: db.prepare<[string, number], { data: Buffer }>(
        `SELECT data FROM document_chunks WHERE hash = ? AND idx = ?`,
      ),
      // Named, not ?1 twice: better-sqlite3 counts each ?1 as a value to pass and refuses one.
      dropOrphanChunks: db.prepare<{ hash: string }>(
        `DELETE FROM document_chunks WHERE hash = @hash AND NOT EXISTS (SELECT 1 FROM documents WHERE hash = @hash)`,
      ),
    };
  }

  /**
   * Stores a file by content. Two streaming passes: the first hashes it, and only when the
   * hash is new does the second store it (and hash again, to catch a file changed in between).
   * `name` only serves error messages. `check` sees every byte of the first pass and may throw
   * (a NUL byte past the head judged at the start): the file is then not stored.
   */
  async putFile(path: string, name = path, check?: ByteCheck, onProgress?: FileProgress): Promise<StoredDocument> {
    // One buffer for both passes: the process that stores a large input goes on to run the
    // RLM over it, and buffers it no longer uses stay resident until a garbage collection.
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const first = await hashFile(path, name, buffer, check, onProgress);
    if (this.has(first.hash)) return first;
    const inFlight = this.pending.get(first.hash);
    if (inFlight) return inFlight;
    const put = this.storeFile(path, name, buffer, first, onProgress).finally(() => this.pending.delete(first.hash));
    this.pending.set(first.hash, put);
    return put;
  }

  putText(text: string): StoredDocument {
    const data = Buffer.from(text, 'utf8');
    const hash = createHash('sha256').update(data).digest('hex');
    if (this.has(hash)) return { hash, bytes: data.length };
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < data.length; offset += CHUNK_BYTES) {
      chunks.push(data.subarray(offset, offset + CHUNK_BYTES));
    }
    for (let idx = 0; idx < chunks.length; idx += CHUNKS_PER_TRANSACTION) {
      this.writeBatch(hash, idx, chunks.slice(idx, idx + CHUNKS_PER_TRANSACTION));
    }
    this.finish(hash, data.length, chunks.length);
    return { hash, bytes: data.length };
  }

  /**
   * Stores a document from its bytes in order (a portable file's chunks), which must come to
   * `expected`: the document exists only once all of it is committed and its hash checked. The
   * bytes are laid out in CHUNK_BYTES chunks whatever pieces they arrive in, as putFile lays them.
   * When the source throws or the bytes do not match, the chunks written so far are dropped.
   * Content already stored is not written again, but the source is still read to its end.
   */
  async putChunks(source: AsyncIterable<Uint8Array>, expected: StoredDocument): Promise<StoredDocument> {
    const staged = await this.stageChunks(source, expected);
    if (staged) this.commitStaged(staged);
    return expected;
  }

  /**
   * putChunks without its last step: the chunks are committed, the documents row is not, so the
   * document does not exist yet; commitStaged makes it exist, in the caller's transaction (a
   * restored run's, so that a killed restore leaves no document that no run names, only chunks
   * without a row, which the next put of the same bytes overwrites). Null when the content is
   * already stored (the source is read through). dropStaged takes staged chunks out again.
   */
  async stageChunks(source: AsyncIterable<Uint8Array>, expected: StoredDocument): Promise<StagedDocument | null> {
    if (this.has(expected.hash)) {
      for await (const _piece of source) {
        // read through: the source checks itself as it is read
      }
      return null;
    }
    const hasher = createHash('sha256');
    let bytes = 0;
    let count = 0;
    let batch: Buffer[] = [];
    let filling = Buffer.allocUnsafe(CHUNK_BYTES);
    let filled = 0;
    try {
      for await (const piece of source) {
        hasher.update(piece);
        bytes += piece.length;
        for (let at = 0; at < piece.length; ) {
          const take = Math.min(piece.length - at, CHUNK_BYTES - filled);
          filling.set(piece.subarray(at, at + take), filled);
          filled += take;
          at += take;
          if (filled === CHUNK_BYTES) {
            batch.push(filling);
            filling = Buffer.allocUnsafe(CHUNK_BYTES);
            filled = 0;
          }
          if (batch.length === CHUNKS_PER_TRANSACTION) {
            this.writeBatch(expected.hash, count, batch);
            count += batch.length;
            batch = [];
          }
        }
      }
      if (filled > 0) batch.push(filling.subarray(0, filled));
      this.writeBatch(expected.hash, count, batch);
      count += batch.length;
      if (bytes !== expected.bytes || hasher.digest('hex') !== expected.hash) {
        throw new RlmError('INVALID_INPUT', `document ${expected.hash}: its bytes do not match its hash and size`);
      }
    } catch (error) {
      this.dropStaged(expected.hash);
      throw error;
    }
    return { hash: expected.hash, bytes, chunks: count };
  }

  /**
   * Makes a staged document exist: its chunks must all be there still (a put of the same bytes
   * that failed meanwhile drops them). One statement: call it inside the caller's transaction.
   */
  commitStaged(staged: StagedDocument): void {
    const stored = this.statements.countChunks.get(staged.hash) ?? 0;
    if (stored !== staged.chunks) throw new RlmError('STORE_FAILED', `document ${staged.hash} has ${stored} of its ${staged.chunks} chunks stored (another put of it failed meanwhile)`);
    this.finish(staged.hash, staged.bytes, staged.chunks);
  }

  /** Takes staged chunks out, unless their document exists (committed by another put meanwhile). */
  dropStaged(hash: string): void {
    this.statements.dropOrphanChunks.run({ hash });
  }

  has(hash: string): boolean {
    return this.statements.has.get(hash) !== undefined;
  }

  /** The whole document; for small ones. Large inputs go through readChunks. */
  read(hash: string): Buffer {
    const bytes = this.describe(hash).bytes;
    if (bytes > bufferConstants.MAX_LENGTH) {
      throw new RlmError('INPUT_TOO_LARGE', `document ${hash} (${bytes} bytes) is too large to read whole`);
    }
    const data = Buffer.concat([...this.readChunks(hash)]);
    if (data.length !== bytes) {
      throw new RlmError('STORE_FAILED', `document ${hash} has ${data.length} bytes stored, expected ${bytes}`);
    }
    return data;
  }

  /**
   * The document's chunks in order. Each chunk is its own query rather than one open cursor,
   * so the connection stays free for writes between chunks (an open iterator would make every
   * other statement on this connection fail while it is consumed).
   */
  *readChunks(hash: string): Iterable<Buffer> {
    const { chunks } = this.describe(hash);
    for (let idx = 0; idx < chunks; idx++) {
      const row = this.statements.getChunk.get(hash, idx);
      if (!row) throw new RlmError('STORE_FAILED', `document ${hash} is missing chunk ${idx} of ${chunks}`);
      yield row.data;
    }
  }

  private describe(hash: string): { chunks: number; bytes: number } {
    const row = this.statements.has.get(hash);
    if (!row) throw new RlmError('NOT_FOUND', `document ${hash} not found`);
    return row;
  }

  /**
   * A chunk per transaction, each written before the next is read into the same buffer: a ring
   * of buffers to batch chunks in one transaction held 32 MiB more for no measurable gain (a
   * commit in WAL mode with synchronous=NORMAL does not wait for the disk).
   */
  private async storeFile(path: string, name: string, buffer: Buffer, expected: StoredDocument, onProgress?: FileProgress): Promise<StoredDocument> {
    const hasher = createHash('sha256');
    let bytes = 0;
    let count = 0;
    try {
      for await (const chunk of readFileChunks(path, name, buffer)) {
        hasher.update(chunk);
        bytes += chunk.length;
        onProgress?.('storing', bytes);
        this.writeBatch(expected.hash, count, [chunk]);
        count++;
      }
    } finally {
      // The chunks just written filled the connection's page cache (better-sqlite3 builds SQLite
      // with 16 MB of it) with pages nothing reads back soon; the run that follows needs that memory.
      releaseCache(this.db);
    }
    if (hasher.digest('hex') !== expected.hash || bytes !== expected.bytes) {
      this.statements.dropOrphanChunks.run({ hash: expected.hash });
      throw new RlmError('FILE_UNREADABLE', `${name} changed while it was being stored`);
    }
    this.finish(expected.hash, bytes, count);
    return expected;
  }

  private writeBatch(hash: string, firstIdx: number, chunks: Buffer[]): void {
    if (chunks.length === 0) return;
    this.guard(() =>
      this.db.transaction(() => {
        chunks.forEach((chunk, i) => this.statements.putChunk.run(hash, firstIdx + i, chunk));
      })(),
    );
  }

  /** The documents row makes the document exist: written only once every chunk is committed. */
  private finish(hash: string, bytes: number, chunks: number): void {
    this.guard(() => this.statements.putDocument.run(hash, bytes, chunks, Date.now()));
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof RlmError) throw error;
      throw new RlmError('STORE_FAILED', `storing a document: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Best effort: a connection closed meanwhile has no cache to release, and the error that closed it is the one to tell. */
function releaseCache(db: Database.Database): void {
  try {
    db.pragma('shrink_memory');
  } catch {
    // nothing to release
  }
}

async function hashFile(path: string, name: string, buffer: Buffer, check?: ByteCheck, onProgress?: FileProgress): Promise<StoredDocument> {
  const hasher = createHash('sha256');
  let bytes = 0;
  for await (const chunk of readFileChunks(path, name, buffer)) {
    check?.update(chunk);
    hasher.update(chunk);
    bytes += chunk.length;
    onProgress?.('checking', bytes);
  }
  check?.end();
  return { hash: hasher.digest('hex'), bytes };
}

/**
 * The file in CHUNK_BYTES pieces (the last one shorter); every piece is full, unlike a read
 * stream's, so chunk boundaries do not depend on how the OS delivers the bytes. Every piece is
 * read into `buffer` (CHUNK_BYTES long): a caller must be done with a piece before asking for the
 * next. (A new buffer per piece left hundreds of megabytes of spent buffers to the garbage
 * collector while a large input was stored.)
 */
async function* readFileChunks(path: string, name: string, buffer: Buffer): AsyncGenerator<Buffer> {
  const file = await open(path, 'r').catch((error: unknown) => {
    throw fileError(name, error);
  });
  try {
    for (;;) {
      let filled = 0;
      while (filled < CHUNK_BYTES) {
        const { bytesRead } = await file.read(buffer, filled, CHUNK_BYTES - filled, null).catch((error: unknown) => {
          throw fileError(name, error);
        });
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled > 0) yield buffer.subarray(0, filled);
      if (filled < CHUNK_BYTES) return;
    }
  } finally {
    await file.close();
  }
}

function fileError(name: string, error: unknown): RlmError {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return new RlmError('FILE_NOT_FOUND', `${name} not found`);
  return new RlmError('FILE_UNREADABLE', `cannot read ${name}: ${error instanceof Error ? error.message : String(error)}`);
}
