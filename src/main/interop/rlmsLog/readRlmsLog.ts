// Reading a whole log from a stream: lines, JSON, the state machine, progress, and the verdict
// when the file is no log at all. The file is never held whole (see lineReader.ts).
import { binaryKind } from '../../../shared/binaryKind';
import { readLines, MAX_LINE_CHARS } from './lineReader';
import { RlmsLogReader, type RlmsLogReaderOptions } from './rlmsLogReader';
import type { RlmsLogImport } from './types';

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

export async function readRlmsLog(source: AsyncIterable<Uint8Array | string>, options: ReadRlmsLogOptions = {}): Promise<RlmsLogImport> {
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
  }
  signal?.throwIfAborted();
  onProgress?.({ bytesRead, lines });
  const result = reader.finish();
  if (firstLine === null) throw notLog('RLMS_LOG_EMPTY');
  if (result.knownRecords === 0) throw notLog(firstLine.array ? 'RLMS_LOG_JSON_ARRAY' : 'RLMS_LOG_NO_RECORDS');
  return result;
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
