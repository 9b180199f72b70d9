// Searching a stored document off the main thread. Browser mode serves every page from one
// process: a regex that backtracks without end (`(a+)+$` over a line of a's) run here would
// freeze every client. So the regex runs in a worker thread that is terminated at a time bound,
// and this thread only reads chunks, one per round trip, yielding to other requests between them.
import { Worker } from 'node:worker_threads';
import type { DocumentMatch, DocumentSearchResult } from '../../shared/api/documents';
import { abortReason, type AbortSignalLike } from '../../shared/cancellation';
import { RlmError } from '../../shared/errors';
import type { DocumentRanges } from '../store/documentRanges';
import { CHUNK_BYTES } from '../store/documentStore';
import { CARRY_CHARS, LONG_MATCH_CHARS, searchWorkerMain, type SearchChunk, type SearchReply, type SearchStart } from './searchWorker';

export interface SearchRequest {
  hash: string;
  bytes: number;
  query: string;
  regex: boolean;
  caseSensitive: boolean;
  from: number;
  maxMatches: number;
}

export interface SearchOptions {
  /** Wall time a search may take before its worker is terminated. */
  timeMs: number;
  /** The caller gave up: the worker is terminated and the search rejects with the signal's reason. */
  signal?: AbortSignalLike;
}

// `__name`: a bundler that keeps function names (esbuild's keepNames, as tsx runs it) wraps inner
// functions in calls to a helper that lives outside the function's text; here it is a no-op.
const WORKER_SOURCE = `var __name = (fn) => fn;\n(${searchWorkerMain.toString()})(${CARRY_CHARS}, ${LONG_MATCH_CHARS});`;

/** The query as a RegExp source and flags; a bad regex is the caller's error, said plainly. */
export function compileQuery(query: string, regex: boolean, caseSensitive: boolean): { source: string; flags: string } {
  const source = regex ? query : query.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  // `m`: ^ and $ are line ends, what a reader of a log or a corpus means by them.
  const flags = `gm${caseSensitive ? '' : 'i'}`;
  try {
    new RegExp(source, flags);
  } catch (error) {
    throw new RlmError('INVALID_INPUT', `not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { source, flags };
}

export function searchDocument(ranges: DocumentRanges, request: SearchRequest, options: SearchOptions): Promise<DocumentSearchResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  const { source, flags } = compileQuery(request.query, request.regex, request.caseSensitive);
  const from = Math.min(request.from, request.bytes);
  const lastIdx = Math.max(0, Math.ceil(request.bytes / CHUNK_BYTES) - 1);
  // At the very end of a document of whole chunks `from` names a chunk that does not exist:
  // start in the last one, past its end.
  const firstIdx = Math.min(Math.floor(from / CHUNK_BYTES), lastIdx);
  const found: number[] = [];
  let scannedTo = from;

  return new Promise<DocumentSearchResult>((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    let settled = false;
    const finish = (result: { timedOut: boolean; full: boolean } | Error | { aborted: true }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (result instanceof Error) return reject(result);
      if ('aborted' in result) return reject(abortReason(signal));
      resolve(toResult(found, request, result.full, result.timedOut, scannedTo));
    };
    // The bound that keeps a runaway regex from holding a thread (and memory) for ever.
    const timer = setTimeout(() => finish({ timedOut: true, full: false }), options.timeMs);
    // Nobody waits for the answer any more: free the thread now rather than at the time bound.
    const onAbort = () => finish({ aborted: true });
    signal?.addEventListener('abort', onAbort, { once: true });
    let idx = firstIdx;
    const sendNext = () => {
      try {
        let data: Buffer = request.bytes === 0 ? Buffer.alloc(0) : ranges.chunk(request.hash, idx);
        // The first chunk starts at `from`, moved onto a character's first byte.
        if (idx === firstIdx) {
          let skip = from - idx * CHUNK_BYTES;
          while (skip < data.length && (data[skip]! & 0xc0) === 0x80) skip++;
          data = data.subarray(skip);
          startAt(idx * CHUNK_BYTES + skip);
        }
        const message: SearchChunk = { type: 'chunk', data, final: idx >= lastIdx };
        idx++;
        // Moved, not copied, when the chunk owns its memory (8 MiB copied per chunk shows as
        // pauses on this thread); a view into a shared buffer is copied.
        const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
        worker.postMessage(message, own ? [data.buffer as ArrayBuffer] : []);
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const startAt = (base: number) => {
      const start: SearchStart = { type: 'start', source, flags, base, limit: request.maxMatches + 1 };
      worker.postMessage(start);
    };
    worker.on('message', (reply: SearchReply) => {
      found.push(...reply.matches);
      scannedTo = reply.scannedTo;
      if (reply.type === 'done') finish({ timedOut: false, full: reply.full });
      // setImmediate: other requests waiting on this thread go before the next chunk's read.
      else setImmediate(sendNext);
    });
    worker.on('error', (error) => finish(new RlmError('INTERNAL', `the search failed: ${error.message}`)));
    worker.on('exit', () => finish(new RlmError('INTERNAL', 'the search stopped unexpectedly')));
    sendNext();
  });
}

function toResult(found: number[], request: SearchRequest, full: boolean, timedOut: boolean, scannedTo: number): DocumentSearchResult {
  const matches: DocumentMatch[] = [];
  for (let i = 0; i + 1 < found.length && matches.length < request.maxMatches; i += 2) matches.push({ start: found[i]!, end: found[i + 1]! });
  // One more match than asked for was looked for: its presence is what `capped` means, and
  // everything before it has been returned.
  const capped = full && found.length / 2 > request.maxMatches;
  const done = !timedOut && !capped;
  return {
    matches,
    capped,
    timedOut,
    scannedTo: done ? request.bytes : capped ? found[request.maxMatches * 2]! : scannedTo,
    bytes: request.bytes,
  };
}
