// Reading a portable run file (format.ts) from a stream, trusting nothing in it: every record is
// checked by its schema, the tree's links and the counts against the end record, each document
// against its sha256, and the whole file against gzip's CRC. A file that is cut, damaged, foreign
// or from a newer RLMScope fails with one PortableFileError saying what is wrong; the caller
// names the file. Items come out as they are read, documents as streams of chunks, so a store can
// take a run of any size without holding its documents.
import { createHash } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { z } from 'zod';
import type { NodePayload, NodeRow } from '../../../shared/domain/node';
import { RlmError } from '../../../shared/errors';
import { MAX_LINE_CHARS, readLines } from '../rlmsLog/lineReader';
import {
  chunkSchema, documentSchema, endSchema, headerSchema, nodeSchema, PORTABLE_FORMAT, PORTABLE_VERSION, runSchema, valueSchema,
  type PortableHeader, type PortableRunRecord, type ValueField,
} from './format';

export type PortableErrorReason = 'NOT_PORTABLE' | 'FUTURE_VERSION' | 'TRUNCATED' | 'DAMAGED' | 'HASH_MISMATCH';

/** The file is not a whole, sound portable run file that this version can read. */
export class PortableFileError extends RlmError {
  constructor(
    readonly reason: PortableErrorReason,
    message: string,
  ) {
    super('INVALID_INPUT', message);
    this.name = 'PortableFileError';
  }
}

/** The run as the file holds it, with its query, answer and error whole. */
export interface PortableRun extends Omit<PortableRunRecord, 'type' | 'queryChars' | 'answerChars' | 'errorChars' | 'forkedFrom' | 'cachedCalls' | 'signals' | 'dedupeSubcalls'> {
  /** The reader always sets these (format.ts defaults them); a run built by hand may leave them out: not a fork, no signals, no dedupe. */
  forkedFrom?: PortableRunRecord['forkedFrom'];
  cachedCalls?: number;
  signals?: PortableRunRecord['signals'];
  dedupeSubcalls?: boolean;
  query: string;
  answer: string | null;
  error: string | null;
}

export type PortableItem =
  | { kind: 'header'; header: PortableHeader }
  | { kind: 'run'; run: PortableRun }
  | { kind: 'node'; node: NodeRow; payload: NodePayload | null }
  /**
   * Read `chunks` to its end before asking for the next item (what is left unread is read and
   * checked then): it throws HASH_MISMATCH at its end when the bytes are not the document's.
   */
  | { kind: 'document'; hash: string; bytes: number; chunks: AsyncIterable<Buffer> }
  | { kind: 'end'; nodes: number; documents: number };

const GZIP_MAGIC = [0x1f, 0x8b];

export async function* readPortable(source: AsyncIterable<Uint8Array>): AsyncGenerator<PortableItem> {
  const records = new RecordReader(source);
  try {
    const header = await readHeader(records);
    yield { kind: 'header', header };
    const { run, next } = await readRun(records);
    yield { kind: 'run', run };

    const ids = new Set<number>();
    let lastId = 0;
    const needed = new Set(run.inputs.map((input) => input.hash));
    const documents = new Set<string>();
    let record = next;
    for (; record !== null && typeOf(record.value) === 'node'; record = await records.next()) {
      const { node, payload } = parse(nodeSchema, record, 'node');
      checkLink(node, ids, lastId, record.line);
      // The node that answered a deduplicated sub-call is an earlier one of the same run (the detail names it).
      const dedupeOf = payload?.dedupeOf;
      if (dedupeOf !== undefined && !ids.has(dedupeOf)) throw damaged(`line ${record.line}: node ${node.id} names node ${dedupeOf} as the sub-call that answered it, which does not come before it`);
      ids.add(node.id);
      lastId = node.id;
      if (node.kind === 'rlm') for (const hash of payload?.documents ?? []) needed.add(hash);
      yield { kind: 'node', node, payload: payload as NodePayload | null };
    }
    for (; record !== null && typeOf(record.value) === 'document'; record = await records.next()) {
      const { hash, bytes } = parse(documentSchema, record, 'document');
      if (documents.has(hash)) throw damaged(`line ${record.line}: document ${hash} appears twice`);
      documents.add(hash);
      const document = new DocumentChunks(records, hash, bytes);
      yield { kind: 'document', hash, bytes, chunks: document.chunks() };
      await document.drain();
    }
    if (record === null) throw truncated(`it ends after line ${records.lastLine} without its end record`);
    if (typeOf(record.value) !== 'end') throw damaged(`line ${record.line}: a "${String(typeOf(record.value))}" record where the end record belongs`);
    const end = parse(endSchema, record, 'end');
    if (end.nodes !== ids.size) throw damaged(`the end record counts ${end.nodes} nodes, the file holds ${ids.size}`);
    if (end.documents !== documents.size) throw damaged(`the end record counts ${end.documents} documents, the file holds ${documents.size}`);
    for (const hash of needed) if (!documents.has(hash)) throw damaged(`document ${hash}, which the run uses, is not in the file`);
    for (const signal of run.signals ?? []) {
      if (signal.nodeId !== null && !ids.has(signal.nodeId)) throw damaged(`the run's ${signal.kind} signal names node ${signal.nodeId}, which is not in the file`);
    }
    // Read to the very end: gzip checks its CRC there, and nothing may follow the end record.
    const after = await records.next();
    if (after !== null) throw damaged(`line ${after.line}: records after the end record`);
    yield { kind: 'end', nodes: end.nodes, documents: end.documents };
  } finally {
    records.close();
  }
}

async function readHeader(records: RecordReader): Promise<PortableHeader> {
  const first = await records.next();
  if (first === null) throw new PortableFileError('NOT_PORTABLE', 'it is not an RLMScope run file: it holds no records');
  const value = first.value as Record<string, unknown> | null;
  if (typeOf(value) !== 'header' || value?.['format'] !== PORTABLE_FORMAT) {
    throw new PortableFileError('NOT_PORTABLE', `it is not an RLMScope run file: its first record is not a "${PORTABLE_FORMAT}" header`);
  }
  // Before the schema: a newer header may hold fields this version does not know.
  const version = value['version'];
  if (typeof version === 'number' && version > PORTABLE_VERSION) {
    const by = typeof value['appVersion'] === 'string' ? ` (RLMScope ${value['appVersion'].slice(0, 40)})` : '';
    throw new PortableFileError('FUTURE_VERSION', `it was written by a newer RLMScope${by} in format version ${version}; this version reads version ${PORTABLE_VERSION}: update RLMScope to import it`);
  }
  return parse(headerSchema, first, 'header');
}

async function readRun(records: RecordReader): Promise<{ run: PortableRun; next: ParsedLine | null }> {
  const line = await records.next();
  if (line === null) throw truncated('it ends after its header');
  if (typeOf(line.value) !== 'run') throw damaged(`line ${line.line}: the run record must follow the header`);
  const { type: _type, queryChars, answerChars, errorChars, ...rest } = parse(runSchema, line, 'run');
  const pieces: Record<ValueField, string[]> = { query: [], answer: [], error: [] };
  const chars: Record<ValueField, number> = { query: 0, answer: 0, error: 0 };
  const declaredChars: Record<ValueField, number | null> = { query: queryChars, answer: answerChars, error: errorChars };
  let next = await records.next();
  for (; next !== null && typeOf(next.value) === 'value'; next = await records.next()) {
    const { field, text } = parse(valueSchema, next, 'value');
    chars[field] += codePoints(text);
    // Counted as the pages come, not at the end: a file declaring a short answer could otherwise
    // send gigabytes of pages, all held until the count was checked.
    const declared = declaredChars[field];
    if (declared === null && chars[field] > 0) throw damaged(`the run has no ${field}, yet the file holds one`);
    if (declared !== null && chars[field] > declared) throw damaged(`line ${next.line}: the run's ${field} is longer than the ${declared} characters declared`);
    pieces[field].push(text);
  }
  const whole = (field: ValueField, declared: number | null): string | null => {
    if (declared === null) {
      if (chars[field] > 0) throw damaged(`the run has no ${field}, yet the file holds one`);
      return null;
    }
    if (chars[field] !== declared) throw damaged(`the run's ${field} has ${chars[field]} characters, ${declared} were declared`);
    return pieces[field].join('');
  };
  const run: PortableRun = { ...rest, query: whole('query', queryChars) ?? '', answer: whole('answer', answerChars), error: whole('error', errorChars) };
  return { run, next };
}

/** Ids in creation order; one root, first; every other node's parent read before it. */
function checkLink(node: NodeRow, ids: ReadonlySet<number>, lastId: number, line: number): void {
  const at = `line ${line}: node ${node.id}`;
  if (node.id <= lastId) throw damaged(`${at} is out of order or repeated`);
  if (ids.size === 0) {
    if (node.parentId !== null) throw damaged(`${at}, the first node, has a parent`);
    return;
  }
  if (node.parentId === null) throw damaged(`${at} has no parent, but the run already has its root`);
  if (!ids.has(node.parentId)) throw damaged(`${at} names parent ${node.parentId}, which does not come before it`);
}

/** One document's chunks, checked against its size and hash as they are read. */
class DocumentChunks {
  private read = 0;
  private readonly hasher = createHash('sha256');
  private checked = false;

  constructor(
    private readonly records: RecordReader,
    private readonly hash: string,
    private readonly bytes: number,
  ) {}

  async *chunks(): AsyncGenerator<Buffer> {
    while (this.read < this.bytes) yield await this.nextChunk();
    this.check();
  }

  /** Reads and checks what the consumer left. */
  async drain(): Promise<void> {
    while (this.read < this.bytes) await this.nextChunk();
    this.check();
  }

  private async nextChunk(): Promise<Buffer> {
    const line = await this.records.next();
    if (line === null) throw truncated(`it ends inside document ${this.hash}, after ${this.read} of its ${this.bytes} bytes`);
    if (typeOf(line.value) !== 'chunk') throw damaged(`line ${line.line}: document ${this.hash} ends after ${this.read} of its ${this.bytes} bytes`);
    const data = Buffer.from(parse(chunkSchema, line, 'chunk').data, 'base64');
    if (data.length === 0 || this.read + data.length > this.bytes) throw damaged(`line ${line.line}: document ${this.hash} does not have the ${this.bytes} bytes declared`);
    this.read += data.length;
    this.hasher.update(data);
    return data;
  }

  private check(): void {
    if (this.checked) return;
    this.checked = true;
    const actual = this.hasher.digest('hex');
    if (actual !== this.hash) throw new PortableFileError('HASH_MISMATCH', `document ${this.hash} is damaged: its bytes hash to ${actual}`);
  }
}

interface ParsedLine {
  line: number;
  value: unknown;
}

/** The file's records as parsed JSON, one line each; decompression errors become PortableFileErrors. */
class RecordReader {
  lastLine = 0;
  private readonly lines;
  private readonly gunzip = createGunzip();

  constructor(source: AsyncIterable<Uint8Array>) {
    // Errors of any stage end up on gunzip, whose iteration then throws them.
    pipeline(Readable.from(checkMagic(source), { objectMode: false }), this.gunzip, () => {});
    this.lines = readLines(this.gunzip, { maxLineChars: MAX_LINE_CHARS });
  }

  async next(): Promise<ParsedLine | null> {
    let result;
    try {
      result = await this.lines.next();
    } catch (error) {
      throw streamError(error);
    }
    if (result.done) return null;
    const item = result.value;
    this.lastLine = item.line;
    if (item.kind === 'tooLong') throw damaged(`line ${item.line} is longer than any record may be (${item.chars} characters)`);
    if (item.unterminated) throw truncated(`its last line (${item.line}) is cut short`);
    try {
      return { line: item.line, value: JSON.parse(item.text) as unknown };
    } catch (error) {
      // A first line that is not JSON: some other file that happens to be gzip-compressed.
      if (item.line === 1) throw new PortableFileError('NOT_PORTABLE', 'it is not an RLMScope run file: its content is not JSON records');
      throw damaged(`line ${item.line} is not JSON (${(error as Error).message})`);
    }
  }

  close(): void {
    this.gunzip.destroy();
  }
}

/** Passes the bytes through once the first two are gzip's: a foreign file is named as such, not as damaged. */
async function* checkMagic(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const head: number[] = [];
  for await (const chunk of source) {
    for (let i = 0; head.length < GZIP_MAGIC.length && i < chunk.length; i++) head.push(chunk[i]!);
    if (head.length === GZIP_MAGIC.length && head.some((byte, i) => byte !== GZIP_MAGIC[i])) {
      throw new PortableFileError('NOT_PORTABLE', 'it is not an RLMScope run file: it is not gzip-compressed');
    }
    yield chunk;
  }
  if (head.length === 0) throw new PortableFileError('NOT_PORTABLE', 'it is not an RLMScope run file: it is empty');
  if (head.length < GZIP_MAGIC.length) throw new PortableFileError('NOT_PORTABLE', 'it is not an RLMScope run file: it is too short');
}

function streamError(error: unknown): unknown {
  if (error instanceof RlmError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(message)) return truncated('it is cut short (its compressed data ends early)');
  if (typeof code === 'string' && code.startsWith('Z_')) return damaged(`its compressed data is damaged (${message})`);
  return error;
}

function parse<T extends z.ZodType>(schema: T, line: ParsedLine, what: string): z.infer<T> {
  const parsed = schema.safeParse(line.value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  throw damaged(`line ${line.line}: the ${what} record is not valid${path}: ${issue?.message ?? 'unknown problem'}`);
}

function typeOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['type'] : undefined;
}

/** Characters as SQLite counts them (code points), which is how the writer measured them. */
function codePoints(text: string): number {
  let surrogates = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) surrogates++;
  }
  return text.length - surrogates;
}

function damaged(message: string): PortableFileError {
  return new PortableFileError('DAMAGED', `the file is damaged: ${message}`);
}

function truncated(message: string): PortableFileError {
  return new PortableFileError('TRUNCATED', `the file is incomplete: ${message}`);
}
