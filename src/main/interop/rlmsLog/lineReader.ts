// Lines of a JSONL file read from a stream, one at a time: the reference library's logs repeat
// the whole prompt and every REPL variable in each record, so they grow as O(n²) and may be far
// larger than the memory we want to spend. Only the line being assembled is held.

/** V8 strings stop at about 512 Mi characters; a line past half of that is not a log record. */
export const MAX_LINE_CHARS = 256 * 1024 * 1024;

export type LogLine =
  | { kind: 'line'; line: number; text: string; bytesRead: number; unterminated: boolean }
  /** A line longer than the cap: skipped, its characters counted. */
  | { kind: 'tooLong'; line: number; chars: number; bytesRead: number };

export interface LineReaderOptions {
  maxLineChars?: number;
}

/**
 * Splits a byte stream into lines numbered from 1. UTF-8 is decoded across chunk boundaries
 * (TextDecoder in streaming mode, which also drops a leading byte-order mark); a trailing CR is
 * removed (CRLF files); a last line without a newline is still yielded, marked unterminated.
 * `bytesRead` counts the bytes consumed so far, for progress.
 */
export async function* readLines(source: AsyncIterable<Uint8Array | string>, options: LineReaderOptions = {}): AsyncGenerator<LogLine> {
  const maxChars = options.maxLineChars ?? MAX_LINE_CHARS;
  const decoder = new TextDecoder('utf-8');
  // The line being assembled, in pieces: joining only at its end keeps a long line O(n).
  let pieces: string[] = [];
  let pending = 0;
  let overflow = false;
  let line = 1;
  let bytesRead = 0;

  function* take(text: string): Generator<LogLine> {
    let from = 0;
    for (;;) {
      const newline = text.indexOf('\n', from);
      const part = newline === -1 ? text.slice(from) : text.slice(from, newline);
      if (!overflow) {
        pending += part.length;
        if (pending > maxChars) {
          overflow = true;
          pieces = [];
        } else if (part.length > 0) pieces.push(part);
      } else pending += part.length;
      if (newline === -1) return;
      yield finish(false);
      from = newline + 1;
    }
  }

  function finish(unterminated: boolean): LogLine {
    const result: LogLine = overflow
      ? { kind: 'tooLong', line, chars: pending, bytesRead }
      : { kind: 'line', line, text: stripCr(pieces.join('')), bytesRead, unterminated };
    pieces = [];
    pending = 0;
    overflow = false;
    line++;
    return result;
  }

  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    bytesRead += bytes.byteLength;
    yield* take(decoder.decode(bytes, { stream: true }));
  }
  yield* take(decoder.decode());
  if (pending > 0 || overflow) yield finish(true);
}

function stripCr(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
