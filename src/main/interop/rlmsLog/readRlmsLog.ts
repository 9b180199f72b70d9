// Reading a whole log from a stream: lines, JSON, the state machine, progress, and the verdict
// when the file is no log at all. The file is never held whole (see lineReader.ts), and
// streamRlmsLog hands each run over as soon as it ends: memory is bounded by the largest run
// (its tree: replies, new messages, code and output), not by the file. One run of 500 MB is
// still held whole, as its tree, until it ends.
import { binaryKind } from '../../../shared/binaryKind';
import { readLines, MAX_LINE_CHARS } from './lineReader';
import { RlmsLogReader, type RlmsLogReaderOptions } from './rlmsLogReader';
import type { ImportedRun, RlmsLogImport, RlmsLogSummary } from './types';

export type RlmsLogErrorCode = 'RLMS_LOG_EMPTY' | 'RLMS_LOG_BINARY' | 'RLMS_LOG_JSON_ARRAY' | 'RLMS_LOG_NO_RECORDS';

/** The file is not a log of the reference library: nothing could be imported from it. */
export class RlmsLogError extends Error {
  constructor(
    readonly code: RlmsLogErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RlmsLogError';
  }
}

export interface RlmsLogProgress {
  bytesRead: number;
  lines: number;
}

export interface ReadRlmsLogOptions extends RlmsLogReaderOptions {
  onProgress?: (progress: RlmsLogProgress) => void;
  signal?: AbortSignal;
  maxLineChars?: number;
}

/** Bytes at the start judged for binary content. */
const HEAD_BYTES = 1024;

/** Every run of the log, returned at its end: for small logs and tests (streamRlmsLog for files). */
export async function readRlmsLog(source: AsyncIterable<Uint8Array | string>, options: ReadRlmsLogOptions = {}): Promise<RlmsLogImport> {
  const runs: ImportedRun[] = [];
  const summary = await streamRlmsLog(source, (run) => void runs.push(run), options);
  return { runs, ...summary };
}

/**
 * Reads the log and gives each run to `onRun` as soon as it ends, in file order, awaiting it
 * before reading on. Throws RlmsLogError when the file is no log; that verdict always comes
 * before the first run is handed over (see `settled`), so a caller that writes each run as it
 * comes changes nothing for a file that is not a log. A read that fails later (an I/O error, the
 * signal) leaves the runs handed over before it as they are.
 */
export async function streamRlmsLog(
  source: AsyncIterable<Uint8Array | string>,
  onRun: (run: ImportedRun) => void | Promise<void>,
  options: ReadRlmsLogOptions = {},
): Promise<RlmsLogSummary> {
  const { onProgress, signal } = options;
  const maxLineChars = options.maxLineChars ?? MAX_LINE_CHARS;
  const reader = new RlmsLogReader(options);
  let firstLine: { line: number; array: boolean } | null = null;
  let bytesReported = -1;
  let lines = 0;
  let bytesRead = 0;
  for await (const item of readLines(refuseBinary(source), { maxLineChars })) {
    signal?.throwIfAborted();
    lines = item.line;
    bytesRead = item.bytesRead;
    if (onProgress && item.bytesRead !== bytesReported) {
      bytesReported = item.bytesRead;
      onProgress({ bytesRead, lines });
    }
    if (item.kind === 'tooLong') {
      reader.warn(item.line, `line ${item.line} is longer than ${maxLineChars} characters (${item.chars}); skipped`);
      firstLine ??= { line: item.line, array: false };
      continue;
    }
    const text = item.text;
    if (text.trim() === '') continue;
    const first = firstLine === null;
    if (first) firstLine = { line: item.line, array: text.trimStart().startsWith('[') };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      // A JSON document spread over lines (`[` alone, then records): not JSONL at all.
      if (first && firstLine?.array) throw notLog('RLMS_LOG_JSON_ARRAY');
      const why = item.unterminated ? 'the file ends in the middle of it' : (error as Error).message;
      reader.warn(item.line, `line ${item.line} is not JSON (${why}); skipped`);
      continue;
    }
    reader.feed(value, item.line);
    await handOver(reader.takeRuns());
  }
  signal?.throwIfAborted();
  onProgress?.({ bytesRead, lines });
  const { runs, ...summary } = reader.finish();
  if (firstLine === null) throw notLog('RLMS_LOG_EMPTY');
  if (summary.knownRecords === 0) throw notLog(firstLine.array ? 'RLMS_LOG_JSON_ARRAY' : 'RLMS_LOG_NO_RECORDS');
  await handOver(runs);
  return summary;

  async function handOver(ended: ImportedRun[]): Promise<void> {
    for (const run of ended) {
      // Settled: a run ends only after a known record (metadata, run_context or iteration) was
      // read, past the first line; the not-a-log verdicts need none by the end, or a first line
      // that is no JSON. Checked rather than assumed, so a change to the reader cannot make an
      // import write runs from a file it then refuses.
      if (reader.knownRecords === 0 || firstLine === null) throw new Error('a run ended before the file was judged to be a log');
      signal?.throwIfAborted();
      await onRun(run);
    }
  }
}

function notLog(code: RlmsLogErrorCode, kind?: string): RlmsLogError {
  const messages: Record<RlmsLogErrorCode, string> = {
    RLMS_LOG_EMPTY: 'The file is empty: there is no log to import.',
    RLMS_LOG_BINARY: `The file is not a log: it is ${kind ?? 'binary'}.`,
    RLMS_LOG_JSON_ARRAY: 'The file is one JSON array, not a JSONL log (one JSON record per line).',
    RLMS_LOG_NO_RECORDS: 'The file holds no record of the reference library (metadata, run_context or iteration): it is not an rlms log.',
  };
  return new RlmsLogError(code, messages[code]);
}

/** Passes the stream through, once its first KiB is judged to be text. */
async function* refuseBinary(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  const held: Uint8Array[] = [];
  let size = 0;
  let judged = false;
  const judge = () => {
    const kind = binaryKind(Buffer.concat(held).subarray(0, HEAD_BYTES));
    if (kind !== null) throw notLog('RLMS_LOG_BINARY', kind);
    judged = true;
  };
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (judged) {
      yield bytes;
      continue;
    }
    held.push(bytes);
    size += bytes.byteLength;
    if (size >= HEAD_BYTES) {
      judge();
      yield* held.splice(0);
    }
  }
  if (!judged) {
    judge();
    yield* held.splice(0);
  }
}
