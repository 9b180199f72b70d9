// Reading a stored document by byte range, touching only the chunks the range covers: a page of
// a 1 GB input costs one or two 8 MiB chunk reads, never the document.
import type Database from 'better-sqlite3';
import { RlmError } from '../../shared/errors';
import { CHUNK_BYTES } from './documentStore';

export interface DocumentRanges {
  /** The document's size in bytes, or null when the run does not use it. */
  sizeFor(runId: string, hash: string): number | null;
  /** Bytes [offset, offset + length) clipped to the document's end. */
  bytes(hash: string, size: number, offset: number, length: number): Buffer;
  /** Chunk `idx` whole (the search walks a document chunk by chunk). */
  chunk(hash: string, idx: number): Buffer;
}

export function documentRanges(db: Database.Database): DocumentRanges {
  // Only a document the run uses (its inputs, its child RLMs' contexts): a run id does not open
  // every document in the database.
  const size = db.prepare<[string, string], { bytes: number }>(
    `SELECT documents.bytes FROM run_documents JOIN documents ON documents.hash = run_documents.hash
     WHERE run_documents.run_id = ? AND run_documents.hash = ?`,
  );
  // substr() on a blob counts bytes from 1; only the slice crosses into JavaScript.
  const slice = db.prepare<[number, number, string, number], { data: Buffer | null }>(
    `SELECT substr(data, ?, ?) AS data FROM document_chunks WHERE hash = ? AND idx = ?`,
  );
  const whole = db.prepare<[string, number], { data: Buffer }>(`SELECT data FROM document_chunks WHERE hash = ? AND idx = ?`);

  const missing = (hash: string, idx: number) => new RlmError('STORE_FAILED', `document ${hash} is missing chunk ${idx}`);

  return {
    sizeFor: (runId, hash) => size.get(runId, hash)?.bytes ?? null,
    bytes(hash, total, offset, length) {
      const end = Math.min(total, offset + length);
      const parts: Buffer[] = [];
      for (let at = offset; at < end; ) {
        const idx = Math.floor(at / CHUNK_BYTES);
        const within = at - idx * CHUNK_BYTES;
        const take = Math.min(end - at, CHUNK_BYTES - within);
        const row = slice.get(within + 1, take, hash, idx);
        if (!row?.data || row.data.length !== take) throw missing(hash, idx);
        parts.push(row.data);
        at += take;
      }
      return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    },
    chunk(hash, idx) {
      const row = whole.get(hash, idx);
      if (!row) throw missing(hash, idx);
      return row.data;
    },
  };
}

/** `offset` moved forward past UTF-8 continuation bytes (10xxxxxx) onto a character's start. */
export function charStart(data: Buffer, offset: number): number {
  let at = offset;
  while (at < data.length && at - offset < 3 && (data[at]! & 0xc0) === 0x80) at++;
  return at;
}
