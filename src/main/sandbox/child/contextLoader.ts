// Builds the strings that become `context` in the sandbox, inside the sandbox process: reading
// user files here avoids copying them through IPC (research/sandbox.md §6: a direct read is the
// fastest way in). A file larger than one JavaScript string can hold (V8: about 512 Mi
// characters) becomes several parts, of the size the run was recorded with (domain/run.ts
// PART_BYTES): the text is cut where a part's bytes end, lines included (a character is never
// cut). A file that fits in one string stays one, whatever the part size.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { ContextInfo } from '../../../shared/domain/node';
import { ONE_STRING_MAX_BYTES, type ContextSource } from '../../../shared/sandboxProtocol';
import type { TextEncodingName } from '../../../shared/textEncoding';

export interface LoadedContext {
  parts: string[];
  names: string[];
  /** `context` is an array (several inputs, or one input in parts) rather than one string. */
  isArray: boolean;
  split: boolean;
}

export function loadContext(source: ContextSource): LoadedContext {
  if (source.kind === 'none') return { parts: [''], names: [''], isArray: false, split: false };
  const parts: string[] = [];
  const names: string[] = [];
  let split = false;
  for (const item of source.items) {
    const pieces = 'text' in item ? [item.text] : readText(item.path, source.wholeBytes ?? ONE_STRING_MAX_BYTES, source.partBytes, item.encoding ?? 'utf-8');
    if (pieces.length === 1) {
      parts.push(pieces[0] ?? '');
      names.push(item.name);
      continue;
    }
    split = true;
    pieces.forEach((piece, i) => {
      parts.push(piece);
      names.push(`${item.name} (part ${i + 1}/${pieces.length})`);
    });
  }
  return { parts, names, isArray: source.asArray || parts.length !== 1, split };
}

function readText(path: string, wholeBytes: number, partBytes: number, encoding: TextEncodingName): string[] {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    // UTF-16 (by its BOM) and Windows-1252 (not UTF-8) were judged by the parent; TextDecoder
    // drops a UTF-16 BOM itself. UTF-8 keeps Node's own decoder, the fastest for the common case.
    // A whole file is read in one step (rounded up to even: UTF-16 code units stay whole).
    if (encoding !== 'utf-8') return readOtherText(fd, size <= wholeBytes ? Math.max(size + (size % 2), 2) : partBytes, encoding);
    // One string: the file's bytes and the string are both held for a moment (2x the file).
    // Latin-1 for a pure-ASCII file (an external string, same text) measured the same peak.
    if (size <= wholeBytes) return [stripBom(readFileSync(fd).toString('utf8'))];
    // Decoding part by part: a multi-byte character cut at a part boundary is carried over.
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.allocUnsafe(partBytes);
    const pieces: string[] = [];
    for (;;) {
      const read = readSync(fd, buffer, 0, partBytes, null);
      if (read === 0) break;
      const text = decoder.write(read === partBytes ? buffer : buffer.subarray(0, read));
      pieces.push(pieces.length === 0 ? stripBom(text) : text);
    }
    const rest = decoder.end();
    if (rest) pieces.push(rest);
    return pieces;
  } finally {
    closeSync(fd);
  }
}

function readOtherText(fd: number, partBytes: number, encoding: TextEncodingName): string[] {
  const decoder = new TextDecoder(encoding);
  // partBytes bytes never decode to more than partBytes characters (Windows-1252: one each;
  // UTF-16: half as many); an even step keeps UTF-16 code units whole at each part's end.
  const step = partBytes - (partBytes % 2);
  const buffer = Buffer.allocUnsafe(step);
  const pieces: string[] = [];
  for (;;) {
    const read = readSync(fd, buffer, 0, step, null);
    if (read === 0) break;
    pieces.push(decoder.decode(buffer.subarray(0, read), { stream: true }));
  }
  const rest = decoder.decode();
  if (rest) pieces.push(rest);
  return pieces.length ? pieces : [''];
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function describeContext(loaded: LoadedContext, previewChars: number): ContextInfo {
  const lengths = loaded.parts.map((part) => part.length);
  const length = lengths.reduce((sum, n) => sum + n, 0);
  const preview = (loaded.parts[0] ?? '').slice(0, previewChars);
  if (!loaded.isArray) return { kind: 'string', length, preview };
  return {
    kind: 'array',
    length,
    items: loaded.parts.length,
    names: loaded.names,
    itemLengths: lengths,
    preview,
    ...(loaded.split ? { split: true } : {}),
  };
}
