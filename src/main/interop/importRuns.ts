// Importing runs from a file into the store: the file is streamed (its size bounds nothing but
// the time), told apart by its first bytes, parsed by the pure reader of its format, priced, and
// each run written whole in one transaction (RunRepository.insertWholeRun) as soon as the reader
// has it, so memory holds one run, never the file. A file that is no log at all changes nothing;
// a log with bad lines imports its good runs and names the bad lines as warnings; a read that
// stops (cancelled, a disk error) keeps the runs written before it, each whole, and says how many.
// Imported runs are never re-executed: their code is the library's Python.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { RunSummary } from '../../shared/domain/run';
import { RlmError } from '../../shared/errors';
import type { PriceTable } from '../model/prices';
import { newRunId } from '../service/runId';
import type { RunRepository } from '../store/runRepository';
import { toWholeRun } from './logRun';
import { PortableFileError, readPortable } from './portable';
import { isKeepableRunId } from './portable/format';
import type { ImportedRun } from './rlmsLog';
import { RlmsLogError, streamRlmsLog, type RlmsLogSummary } from './rlmsLog';

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
}

export interface ImportDeps {
  store: RunRepository;
  /** Prices calls the log gives tokens but no cost for (the bundled table and the user's). */
  prices: PriceTable;
  newRunId?: () => string;
  /** Read the log's zone-less timestamps as UTC (tests); local time otherwise, as the library wrote them. */
  assumeUtc?: boolean;
}

export interface ImportFileOptions {
  /** The name the runs record as their source; default: the path's last part. */
  name?: string;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
}

export interface FileImport {
  /** The file's name, as the runs record it. */
  source: string;
  /** One per imported run, in the order of the file. */
  runs: RunSummary[];
  /** Lines skipped or read in part, each naming its line. */
  warnings: string[];
}

/** Bytes read at the start to tell the formats apart. */
const SNIFF_BYTES = 16;
/** Larger reads than the default 64 KiB: a log is read once, front to back. */
const READ_CHUNK_BYTES = 1024 * 1024;

type Format = 'rlmsLog' | 'portable';

/**
 * Which format the file is, from its first bytes. Only the reference library's JSONL log today;
 * it takes any text and refuses the rest itself with one clear line.
 */
function sniff(head: Buffer): Format {
  // A portable `.rlmscope` file is gzip (portable/format.ts): its two magic bytes. Checked before
  // the log, which would refuse a compressed file as binary; readPortable then checks it is ours.
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'portable';
  return 'rlmsLog';
}

/** Imports every run of one file. Throws RlmError with one line naming the file when nothing can be imported. */
export async function importFile(path: string, deps: ImportDeps, options: ImportFileOptions = {}): Promise<FileImport> {
  const source = options.name ?? baseName(path);
  const totalBytes = await fileSize(path, source);
  const format = sniff(await readHead(path, source));
  switch (format) {
    case 'rlmsLog':
      return importRlmsLog(path, source, totalBytes, deps, options);
    case 'portable':
      return importPortable(path, source, totalBytes, deps, options);
  }
}

async function importRlmsLog(path: string, source: string, totalBytes: number, deps: ImportDeps, options: ImportFileOptions): Promise<FileImport> {
  const runs: RunSummary[] = [];
  // Each run in its own transaction, written as it ends: a failure (a full disk) keeps the runs
  // written before it. The reader settles whether the file is a log before the first run comes.
  const write = (run: ImportedRun) => {
    options.signal?.throwIfAborted();
    const runId = freshRunId(deps);
    runs.push(deps.store.insertWholeRun(toWholeRun(run, { runId, source, prices: deps.prices })));
  };
  let log: RlmsLogSummary;
  try {
    log = await streamRlmsLog(createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }), write, {
      assumeUtc: deps.assumeUtc ?? false,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: ({ bytesRead }) => options.onProgress?.({ bytesRead, totalBytes }) } : {}),
    });
  } catch (error) {
    if (error instanceof RlmsLogError) throw new RlmError('INVALID_INPUT', `${source}: ${error.message}`);
    if (isErrno(error)) throw written(unreadable(source, error), runs);
    throw error instanceof RlmError ? written(error, runs) : error;
  }
  const warnings = log.warnings.map((w) => w.message);
  if (log.warningsDropped > 0) warnings.push(`… and ${log.warningsDropped.toLocaleString('en-US')} more warnings`);
  return { source, runs, warnings };
}

/** The error of an import that stopped part way, saying which runs it had written (they stay). */
function written(error: RlmError, runs: readonly RunSummary[]): RlmError {
  if (runs.length === 0) return error;
  const ids = runs.map((run) => run.runId);
  const shown = ids.length <= 3 ? ids.join(', ') : `${ids.slice(0, 3).join(', ')} … ${ids.at(-1)}`;
  return new RlmError(error.code, `${error.message} (the ${runs.length === 1 ? 'run' : `${runs.length} runs`} before it stay imported: ${shown})`);
}

/**
 * A run exported with `rlmscope export` (the portable format), restored as it was: its run id when
 * that is free here, its documents, every node and payload; imported runs stay imported.
 */
async function importPortable(path: string, source: string, totalBytes: number, deps: ImportDeps, options: ImportFileOptions): Promise<FileImport> {
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  let bytesRead = 0;
  stream.on('data', (chunk) => {
    bytesRead += chunk.length;
    options.onProgress?.({ bytesRead, totalBytes });
  });
  if (options.signal) {
    const signal = options.signal;
    signal.addEventListener('abort', () => stream.destroy(signal.reason instanceof Error ? signal.reason : new Error('the import was cancelled')), { once: true });
  }
  try {
    const restored = await deps.store.restorePortable(readPortable(stream), { keepIdIfFree: true, newId: () => freshRunId(deps) });
    const run = deps.store.getRun(restored.runId);
    if (!run) throw new RlmError('INTERNAL', `${source}: the restored run ${restored.runId} is not in the store`);
    const warnings = restored.runId === restored.originalRunId ? []
      // Not echoed when it is unfit: it may hold a newline or an escape sequence.
      : isKeepableRunId(restored.originalRunId) ? [`run ${restored.originalRunId} is already here: restored as ${restored.runId}`]
      : [`the file's run id is not one RLMScope can use (at most 100 letters, digits, '.', '_' or '-'): restored as ${restored.runId}`];
    return { source, runs: [run], warnings };
  } catch (error) {
    if (error instanceof PortableFileError) throw new RlmError('INVALID_INPUT', `${source}: ${error.message}`);
    if (isErrno(error)) throw unreadable(source, error);
    throw error;
  } finally {
    stream.destroy();
  }
}

/**
 * A run id no run has. Ids made in the same second differ by 24 random bits only, and one log
 * may hold thousands of runs: a taken one is drawn again rather than failing its run.
 */
function freshRunId(deps: ImportDeps): string {
  const make = deps.newRunId ?? (() => newRunId());
  for (let attempt = 0; attempt < 100; attempt++) {
    const id = make();
    if (deps.store.getRun(id) === null) return id;
  }
  throw new RlmError('INTERNAL', 'no free run id was found in 100 tries');
}

async function fileSize(path: string, source: string): Promise<number> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new RlmError('FILE_UNREADABLE', `${source}: is a folder, not a file`);
    return info.size;
  } catch (error) {
    if (isErrno(error)) throw unreadable(source, error);
    throw error;
  }
}

async function readHead(path: string, source: string): Promise<Buffer> {
  try {
    const file = await open(path, 'r');
    try {
      const head = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await file.read(head, 0, SNIFF_BYTES, 0);
      return head.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } catch (error) {
    if (isErrno(error)) throw unreadable(source, error);
    throw error;
  }
}

function unreadable(source: string, error: NodeJS.ErrnoException): RlmError {
  if (error.code === 'ENOENT') return new RlmError('FILE_NOT_FOUND', `${source}: no such file`);
  if (error.code === 'EISDIR') return new RlmError('FILE_UNREADABLE', `${source}: is a folder, not a file`);
  return new RlmError('FILE_UNREADABLE', `${source}: cannot be read (${error.code ?? error.message})`);
}

function isErrno(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && !(error instanceof RlmError) && error.name !== 'AbortError';
}

/** The last part of a path, on either kind of separator. */
function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;
}
