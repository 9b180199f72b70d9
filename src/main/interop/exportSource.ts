// What an exporter reads a run from: the read-only run reader and the run's stored documents.
// Both read and never write (DESIGN §2: `export` needs no write access), so a database opened
// read-only (openRunReader's way) serves.
import type Database from 'better-sqlite3';
import { RlmError } from '../../shared/errors';
import { CHUNK_BYTES } from '../store/documentStore';
import { documentRanges, type DocumentRanges } from '../store/documentRanges';
import { RunReader } from '../store/runReader';

export interface StoredDocumentReader {
  bytes: number;
  /** The document's bytes in order, in pieces of at most the store's chunk size. */
  chunks(): Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
}

export interface RunSource {
  runs: Pick<RunReader, 'getRun' | 'getNodes' | 'getPayload' | 'readValue'>;
  /** A document the run uses (an input, a child RLM's context); null when the run has no such document. */
  document(runId: string, hash: string): StoredDocumentReader | null;
}

/** An export source over an open database (read-only or not); whoever opened it closes it. */
export function exportSourceFor(db: Database.Database): RunSource {
  return runSourceOver(new RunReader(db), documentRanges(db));
}

/** The same over a reader and the document ranges of its database. */
export function runSourceOver(runs: RunSource['runs'], ranges: DocumentRanges): RunSource {
  return {
    runs,
    document(runId, hash) {
      const bytes = ranges.sizeFor(runId, hash);
      if (bytes === null) return null;
      return {
        bytes,
        *chunks() {
          const count = Math.ceil(bytes / CHUNK_BYTES);
          for (let idx = 0; idx < count; idx++) {
            const chunk = ranges.chunk(hash, idx);
            if (chunk.length === 0) throw new RlmError('STORE_FAILED', `document ${hash} has an empty chunk ${idx}`);
            yield chunk;
          }
        },
      };
    },
  };
}
