// The `documents` slice (src/shared/api/documents.ts): documents.read and documents.search.
import type Database from 'better-sqlite3';
import type { DocumentPage, documentsMethods } from '../../shared/api/documents';
import { abortReason, type AbortSignalLike } from '../../shared/cancellation';
import { RlmError } from '../../shared/errors';
import { charStart, documentRanges, type DocumentRanges } from '../store/documentRanges';
import { searchDocument } from './documentSearch';
import type { Handlers } from './handlers';

export interface DocumentOptions {
  /**
   * Wall time one search may take; 10 s by default: a page waits on it, and a plain search of
   * 1 GB takes about that long (200 MB in 1.7 s measured). A search cut off says how far it got,
   * and the page can go on from there.
   */
  searchTimeMs?: number;
}

/**
 * Searches running at once; more wait their turn. Each holds a worker thread (up to 512 MB of
 * heap): a page that fires searches on every key must not start one thread per key.
 */
const SEARCHES_AT_ONCE = 2;

export function documentsHandlers(db: Database.Database, options: DocumentOptions = {}): Handlers<keyof typeof documentsMethods> {
  const ranges = documentRanges(db);
  const oneOf = limiter(SEARCHES_AT_ONCE);
  const sizeOf = (runId: string, hash: string) => {
    const bytes = ranges.sizeFor(runId, hash);
    if (bytes === null) throw new RlmError('NOT_FOUND', `run ${runId} has no document ${hash}`);
    return bytes;
  };
  return {
    'documents.read': async ({ runId, hash, offset, length }) => readPage(ranges, hash, sizeOf(runId, hash), offset, length),
    'documents.search': async ({ runId, hash, ...request }, signal) =>
      oneOf(() => searchDocument(ranges, { hash, bytes: sizeOf(runId, hash), ...request }, { timeMs: options.searchTimeMs ?? 10_000, signal }), signal),
  };
}

/** The page, its ends moved onto whole characters (a cut one is left for the neighbouring page). */
function readPage(ranges: DocumentRanges, hash: string, bytes: number, offset: number, length: number): DocumentPage {
  const start = Math.min(offset, bytes);
  const data = ranges.bytes(hash, bytes, start, length);
  const head = charStart(data, 0);
  let tail = data.length;
  if (start + data.length < bytes) tail = lastWholeCharEnd(data);
  return { text: data.subarray(head, Math.max(head, tail)).toString('utf8'), offset: start + head, end: start + Math.max(head, tail), bytes };
}

/** Where the last character that is complete in `data` ends (a cut one is left for the next page). */
function lastWholeCharEnd(data: Buffer): number {
  for (let i = data.length - 1; i >= Math.max(0, data.length - 4); i--) {
    const byte = data[i]!;
    if ((byte & 0xc0) === 0x80) continue;
    const size = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return i + size <= data.length ? data.length : i;
  }
  return data.length;
}

/**
 * Runs at most `max` of the functions given at once, the rest in the order they came. One whose
 * signal aborts while it waits leaves the queue without running: a page typing into the search
 * box cancels the searches it no longer wants before they take a thread.
 */
function limiter(max: number): <T>(fn: () => Promise<T>, signal?: AbortSignalLike) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (fn, signal) => {
    if (signal?.aborted) throw abortReason(signal);
    if (active >= max) await waitTurn(waiting, signal);
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** Waits in `waiting` for a turn; rejects, leaving the queue, if `signal` aborts first. */
function waitTurn(waiting: Array<() => void>, signal: AbortSignalLike | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const turn = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      const at = waiting.indexOf(turn);
      if (at !== -1) waiting.splice(at, 1);
      reject(abortReason(signal));
    };
    waiting.push(turn);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
