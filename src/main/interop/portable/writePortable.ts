// Writing a run as a portable file (format.ts): a stream of records through gzip into `out`.
// Nothing is held whole but one node's payload: values go in pages, documents in 1 MiB chunks.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { version as packageVersion } from '../../../../package.json';
import type { NodeRow } from '../../../shared/domain/node';
import { LEGACY_PART_BYTES } from '../../../shared/domain/run';
import { RlmError } from '../../../shared/errors';
import type { RunSource } from '../exportSource';
import { DOCUMENT_CHUNK_BYTES, PORTABLE_FORMAT, PORTABLE_VERSION, safeBaseUrl, VALUE_FIELDS, VALUE_PAGE_CHARS, type PortableHeader, type PortableRunRecordInput, type ValueField } from './format';
import { wholeCharEnd } from '../../../shared/ellipsize';

export interface WritePortableOptions {
  appVersion?: string;
  now?: () => number;
}

/**
 * Writes run `runId` of `source` to `out` as a portable file and ends `out`; resolves once `out`
 * has taken every byte. Refuses a run that is not in the source, or whose documents are missing
 * or damaged in it (such a file could not be restored).
 */
export async function writePortable(source: RunSource, runId: string, out: NodeJS.WritableStream, options: WritePortableOptions = {}): Promise<void> {
  // Read before the first byte goes out: a run that is not there leaves `out` empty.
  const run = source.runs.getRun(runId);
  if (!run) throw new RlmError('NOT_FOUND', `run ${runId} not found`);
  await pipeline(Readable.from(records(source, runId, options)), createGzip(), out);
}

async function* records(source: RunSource, runId: string, options: WritePortableOptions): AsyncGenerator<string | Buffer> {
  const run = source.runs.getRun(runId);
  if (!run) throw new RlmError('NOT_FOUND', `run ${runId} not found`);
  const header: PortableHeader = {
    type: 'header',
    format: PORTABLE_FORMAT,
    version: PORTABLE_VERSION,
    appVersion: options.appVersion ?? packageVersion,
    createdAt: (options.now ?? Date.now)(),
    runId,
  };
  yield line(header);

  const lengths: Record<ValueField, number | null> = { query: null, answer: null, error: null };
  for (const field of VALUE_FIELDS) lengths[field] = source.runs.readValue(runId, field, 0, 0)?.totalChars ?? null;
  const record: PortableRunRecordInput = {
    type: 'run',
    runId,
    status: run.status,
    stopReason: run.stopReason,
    rootModel: run.rootModel,
    subModel: run.subModel,
    baseUrl: safeBaseUrl(run.baseUrl),
    createdAt: run.createdAt,
    endedAt: run.endedAt,
    seed: run.seed,
    origin: run.origin ?? 'native',
    source: run.source ?? null,
    recording: run.recording ?? 0,
    // Only for a fork: the file of any other run stays readable by an RLMScope from before forks.
    ...(run.forkedFrom ? { forkedFrom: run.forkedFrom } : {}),
    ...(run.cachedCalls ? { cachedCalls: run.cachedCalls } : {}),
    // Only when it has any, for the same reason.
    ...(run.signals?.length ? { signals: run.signals } : {}),
    limits: run.limits,
    ...(run.dedupeSubcalls ? { dedupeSubcalls: true } : {}),
    // Only for a run split otherwise than every run before issue 13, for the same reason.
    ...(run.partBytes !== undefined && run.partBytes !== LEGACY_PART_BYTES ? { partBytes: run.partBytes } : {}),
    queryChars: lengths.query ?? 0,
    answerChars: lengths.answer,
    errorChars: lengths.error,
    pricedCostUsd: run.pricedCostUsd,
    unpricedCalls: run.unpricedCalls,
    inputTokens: run.inputTokens,
    outputTokens: run.outputTokens,
    cachedTokens: run.cachedTokens,
    modelCalls: run.modelCalls,
    iterations: run.iterations,
    maxDepthReached: run.maxDepthReached,
    inputs: run.inputs.map(({ name, bytes, hash }) => ({ name, bytes, hash })),
  };
  yield line(record);
  for (const field of VALUE_FIELDS) {
    const total = lengths[field] ?? 0;
    for (let offset = 0; offset < total; offset += VALUE_READ_CHARS) {
      const block = source.runs.readValue(runId, field, offset, VALUE_READ_CHARS)?.text ?? '';
      for (const text of pagesOf(block)) yield line({ type: 'value', field, text });
    }
  }

  // The documents the run uses, in the order they are first named: its inputs, then the
  // contexts of its RLMs (the root's are its inputs again).
  const hashes = new Set(run.inputs.map((input) => input.hash));
  const nodes: NodeRow[] = source.runs.getNodes(runId);
  for (const node of nodes) {
    const payload = source.runs.getPayload(runId, node.id);
    if (node.kind === 'rlm') for (const hash of payload?.documents ?? []) hashes.add(hash);
    // `cached` only when true, as forkedFrom above.
    const { cached, ...row } = node;
    yield line({ type: 'node', node: cached === true ? node : row, payload });
  }

  for (const hash of hashes) yield* documentRecords(source, runId, hash);
  yield line({ type: 'end', nodes: nodes.length, documents: hashes.size });
}

async function* documentRecords(source: RunSource, runId: string, hash: string): AsyncGenerator<string> {
  const document = source.document(runId, hash);
  if (!document) throw new RlmError('STORE_FAILED', `document ${hash} of run ${runId} is missing from the database; the run cannot be exported whole`);
  yield line({ type: 'document', hash, bytes: document.bytes });
  const hasher = createHash('sha256');
  let bytes = 0;
  for await (const chunk of document.chunks()) {
    hasher.update(chunk);
    bytes += chunk.length;
    for (let at = 0; at < chunk.length; at += DOCUMENT_CHUNK_BYTES) {
      const piece = Buffer.from(chunk.buffer, chunk.byteOffset + at, Math.min(DOCUMENT_CHUNK_BYTES, chunk.length - at));
      yield line({ type: 'chunk', data: piece.toString('base64') });
    }
  }
  // Checked here too: a damaged database makes a file that fails on import, far from its cause.
  if (bytes !== document.bytes || hasher.digest('hex') !== hash) {
    throw new RlmError('STORE_FAILED', `document ${hash} of run ${runId} is damaged in the database (its bytes no longer match its hash)`);
  }
}

function line(record: object): string {
  return `${JSON.stringify(record)}\n`;
}

/**
 * Characters of a value read from the store at once. SQLite walks a value from its start for every
 * page cut from it (substr over UTF-8 text): a 200 MB answer read 1 Mi characters at a time took
 * over three minutes; read 64 Mi at a time, a few seconds.
 */
const VALUE_READ_CHARS = 64 * VALUE_PAGE_CHARS;

/**
 * A block of a value in lines of at most VALUE_PAGE_CHARS UTF-16 units (so at most as many
 * characters as SQLite counts them, as format.ts allows), never cutting a surrogate pair.
 */
export function* pagesOf(block: string): Generator<string> {
  for (let start = 0; start < block.length; ) {
    const end = wholeCharEnd(block, Math.min(block.length, start + VALUE_PAGE_CHARS));
    yield block.slice(start, end);
    start = end;
  }
}
