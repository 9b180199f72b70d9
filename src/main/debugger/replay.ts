// Exact replay (DESIGN §11, issue 12): every RLM of a run re-executed in a fresh sandbox of its
// own — the same context documents (from the store), seed, time zone, clock and Math.random
// values — with every host call its code makes answered from the recording, in the recorded
// order and grouping. No model is ever asked: a call that does not match the recording is a
// divergence of its cell, answered with an error. Each cell's output and error are compared byte
// for byte with the recording. It reads the store and writes nothing (temporary copies of the
// root's input files aside, removed at the end).
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplayResult } from '../../shared/api/debugger';
import type { ContextInfo } from '../../shared/domain/node';
import { LEGACY_PART_BYTES, type RunDetail } from '../../shared/domain/run';
import { RlmError } from '../../shared/errors';
import type { ContextSource } from '../../shared/sandboxProtocol';
import type { TextEncodingName } from '../../shared/textEncoding';
import { sandboxMemoryMb } from '../engine/sandboxMemory';
import { inspectFile } from '../input/binaryCheck';
import type { SandboxLauncher } from '../sandbox/host/launcher';
import { RecordedCallServer } from '../sandbox/host/recordedCalls';
import type { CellResult } from '../sandbox/host/cellResult';
import { Sandbox } from '../sandbox/host/sandbox';
import { CHUNK_BYTES } from '../store/documentStore';
import type { DocumentRanges } from '../store/documentRanges';
export type { ReplayDivergence, ReplayResult } from '../../shared/api/debugger';
import { recordingOf, type CellRecording, type RecordingSource, type RlmRecording } from './recording';

/** What a replay reads: a RunReader with the store's documents (openRunReader's RunFileReader). */
export interface ReplaySource extends RecordingSource {
  getRun(runId: string): RunDetail | null;
  documents(): Pick<DocumentRanges, 'sizeFor' | 'chunk'>;
}

export interface ReplayOptions {
  launcher: SandboxLauncher;
  signal?: AbortSignal;
  /** After each cell: how many of the run's cells are done. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/**
 * Refuses, with one line, a run that cannot be re-executed from its recording (replayed, or
 * forked: `action`); returns its detail otherwise.
 */
export function replayableRun(source: Pick<ReplaySource, 'getRun'>, runId: string, action: 'replay' | 'fork' = 'replay'): RunDetail {
  const run = source.getRun(runId);
  if (!run) throw new RlmError('NOT_FOUND', `no run ${runId}`);
  if (run.origin === 'imported') {
    throw new RlmError('INVALID_INPUT', `run ${runId} was imported from ${run.source ?? 'a file'}: its code is Python, recorded by the reference library: it is never re-executed`);
  }
  if (run.status === 'running' || run.status === 'paused') throw new RlmError('RUN_ACTIVE', `run ${runId} is still ${run.status}: ${action} it once it has ended`);
  if (run.replayable === false) {
    const what = action === 'replay' ? 'replayed exactly' : 'forked (its recording cannot serve as a cache)';
    throw new RlmError('INVALID_INPUT', `run ${runId} cannot be ${what}: ${run.replayableWhy ?? 'its recording is incomplete'}`);
  }
  return run;
}

export async function replayRun(source: ReplaySource, runId: string, options: ReplayOptions): Promise<ReplayResult> {
  const run = replayableRun(source, runId);
  const recording = recordingOf(source, runId);
  if (!recording) throw new RlmError('NOT_FOUND', `no run ${runId}`);
  const total = recording.rlms.reduce((sum, rlm) => sum + rlm.steps.filter((step) => step.kind === 'cell').length, 0);
  const result: ReplayResult = { runId, cells: 0, reproduced: 0, diverged: [], modelCalls: 0 };
  const scratch = await mkdtemp(join(tmpdir(), 'rlmscope-replay-'));
  try {
    // One RLM at a time: each is independent of the others (a child's answer comes from the
    // recording), and one sandbox at a time keeps a replay's memory to one RLM's.
    for (const rlm of recording.rlms) {
      throwIfAborted(options.signal);
      await replayRlm(source, run, rlm, scratch, options, result, total);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return result;
}

async function replayRlm(source: ReplaySource, run: RunDetail, rlm: RlmRecording, scratch: string, options: ReplayOptions, result: ReplayResult, total: number): Promise<void> {
  const cells = rlm.steps.filter((step): step is CellRecording => step.kind === 'cell');
  if (cells.length === 0) return;
  const payload = source.getPayload(run.runId, rlm.nodeId) ?? {};
  const inputs = await contextOf(source, run, rlm, payload.documents ?? [], payload.context ?? null, scratch);
  const diverge = (cell: CellRecording, expected: string, actual: string) => {
    result.cells++;
    result.diverged.push({ nodeId: cell.nodeId, expected, actual });
    options.onProgress?.({ done: result.cells, total });
  };
  if (rlm.seed === null) {
    for (const cell of cells) diverge(cell, 'a sandbox seeded as recorded', 'the RLM has no recorded seed');
    return;
  }
  let sandbox: Sandbox;
  try {
    sandbox = await Sandbox.start({
      launcher: options.launcher,
      context: inputs.context,
      readablePaths: inputs.readablePaths,
      seed: rlm.seed,
      memoryMb: sandboxMemoryMb(run.limits.sandboxMemoryMb, inputs.bytes),
      cellTimeoutMs: run.limits.cellTimeoutMs,
      outputChars: run.limits.outputChars,
      ...(rlm.environment && isTimeZoneName(rlm.environment.timeZone) ? { timeZone: rlm.environment.timeZone } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onCall: () => Promise.reject(new Error('a replay never asks a model')),
    });
  } catch (error) {
    throwIfAborted(options.signal);
    for (const cell of cells) diverge(cell, 'a sandbox started with the recorded context', `the sandbox did not start: ${(error as Error).message}`);
    return;
  }
  const stop = () => sandbox.dispose('the replay was cancelled');
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    const rebuilt = contextDifference(payload.context ?? null, sandbox.contextInfo);
    if (rebuilt) {
      for (const cell of cells) diverge(cell, `context: ${rebuilt.expected}`, `context: ${rebuilt.actual}`);
      return;
    }
    for (const cell of cells) {
      throwIfAborted(options.signal);
      const difference = await replayCell(sandbox, cell);
      throwIfAborted(options.signal);
      result.cells++;
      if (difference) result.diverged.push({ nodeId: cell.nodeId, ...difference });
      else result.reproduced++;
      options.onProgress?.({ done: result.cells, total });
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    sandbox.dispose();
  }
}

/** Runs one recorded cell; what differs from the recording, or null when it was reproduced. */
async function replayCell(sandbox: Sandbox, cell: CellRecording): Promise<{ expected: string; actual: string } | null> {
  if (cell.hostCalls === null) return { expected: "the cell's host calls", actual: 'the recording has none for this cell' };
  if (cell.cut > 0) return { expected: "every one of the cell's host calls", actual: `the recording left out ${cell.cut} past the per-cell limit` };
  const calls = new RecordedCallServer(cell.hostCalls, cell.received);
  const replayed = await sandbox.runCell(cell.code, { clock: cell.clock, random: cell.random ? { epoch: cell.random.epoch, draws: cell.random.draws } : null, calls });
  const call = calls.finish();
  if (call) return call;
  const refused = cell.hostCalls.filter((recorded) => recorded.refused).length;
  const refusedNow = replayed.calls.trace?.refused.length;
  if (refusedNow !== undefined && replayed.calls.trace?.cut === 0 && refusedNow !== refused) {
    return { expected: `${refused} host call(s) refused inside the sandbox`, actual: `${refusedNow} refused` };
  }
  if (replayed.output !== cell.output) return { expected: cell.output, actual: replayed.output };
  const error = replayed.error ?? null;
  if (!sameError(cell.error, error, replayed)) return { expected: cell.error ?? '(no error)', actual: error ?? '(no error)' };
  return null;
}

/**
 * Errors compared byte for byte, but for the host's own measurement in a killed sandbox's error:
 * how many MB it held when the watchdog looked, or how long it was silent, is the machine's
 * timing, not the code's doing (the code's share — that it was killed, and why — must match).
 */
function sameError(recorded: string | null, replayed: string | null, result: CellResult): boolean {
  if (recorded === replayed) return true;
  if (recorded === null || replayed === null || result.errorFromCode) return false;
  return hostMeasurementsMasked(recorded) === hostMeasurementsMasked(replayed);
}

function hostMeasurementsMasked(error: string): string {
  return error.replace(/\bit used \d+ MB of memory\b/g, 'it used … MB of memory').replace(/\bdid not respond for \d+ s\b/g, 'did not respond for … s');
}

interface RebuiltContext {
  context: ContextSource;
  readablePaths: string[];
  bytes: number;
}

/**
 * The RLM's context as its sandbox got it, rebuilt from the store: the root's input files
 * (copied to `scratch`, read by the sandbox itself as the original read the user's files), a
 * child's `subContext` strings (sent over IPC, as the engine sends them: subCalls.ts).
 */
async function contextOf(source: ReplaySource, run: RunDetail, rlm: RlmRecording, documents: string[], recorded: ContextInfo | null, scratch: string): Promise<RebuiltContext> {
  const ranges = source.documents();
  if (rlm.parentCellId === null) {
    if (run.inputs.length === 0) return { context: { kind: 'none' }, readablePaths: [], bytes: 0 };
    const files = await rootInputFiles(ranges, run, recorded, scratch);
    const items = files.items.map(({ name, path, encoding }) => ({ name, path, ...(encoding ? { encoding } : {}) }));
    const asArray = files.asArray;
    return {
      // Split as the run was: a run recorded before the part size was has none and used LEGACY_PART_BYTES.
      context: { kind: 'items', items, asArray, partBytes: run.partBytes ?? LEGACY_PART_BYTES },
      readablePaths: items.map((item) => item.path),
      bytes: run.inputs.reduce((sum, input) => sum + input.bytes, 0),
    };
  }
  const texts = documents.map((hash) => readDocument(ranges, run.runId, hash));
  if (texts.length === 0) {
    return { context: recorded?.kind === 'array' ? { kind: 'items', items: [], asArray: true, partBytes: Number.MAX_SAFE_INTEGER } : { kind: 'none' }, readablePaths: [], bytes: 0 };
  }
  // More than a hundred parts were stored as ONE document, their JSON array (subCalls.ts).
  const values = texts.length === 1 && recorded?.kind === 'array' && (recorded.items ?? 1) !== 1 ? parseParts(texts[0]!) : texts;
  return {
    context: { kind: 'items', items: values.map((text, i) => ({ name: `item ${i}`, text })), asArray: recorded?.kind === 'array', partBytes: Number.MAX_SAFE_INTEGER },
    readablePaths: [],
    bytes: values.reduce((sum, text) => sum + text.length, 0),
  };
}

/**
 * The root's input files as the run read them, rebuilt from the store into `scratch` (read by the
 * sandbox itself, as the original read the user's files), each in the encoding the run judged it.
 * `recorded`: the root RLM's recorded context, which says whether the inputs made an array.
 */
export async function rootInputFiles(
  ranges: Pick<DocumentRanges, 'sizeFor' | 'chunk'>,
  run: Pick<RunDetail, 'runId' | 'inputs'>,
  recorded: ContextInfo | null,
  scratch: string,
): Promise<{ items: Array<{ name: string; path: string; bytes: number; encoding?: TextEncodingName }>; asArray: boolean }> {
  const items = [];
  for (const [index, input] of run.inputs.entries()) {
    const path = join(scratch, `input-${index}`);
    await copyDocument(ranges, run.runId, input.hash, path);
    // The encoding is judged from the bytes as the run judged it (resolveInputs.ts): the same bytes, the same judgment.
    const inspected = await inspectFile(path);
    const encoding = inspected.regular ? inspected.encoding : 'utf-8';
    items.push({ name: input.name, path, bytes: input.bytes, ...(encoding !== 'utf-8' ? { encoding } : {}) });
  }
  // Several inputs, or a folder, made an array (resolveInputs.ts); one input in parts is one either way.
  return { items, asArray: run.inputs.length > 1 || (recorded?.kind === 'array' && !recorded.split) };
}

/**
 * A time zone name as Intl reports one ("Europe/Paris", "UTC", "Etc/GMT+5"). The recording may
 * come from another machine's file: TZ also takes ":/a/path" (a file libc and ICU read), so
 * nothing but a plain name reaches the sandbox's environment.
 */
export function isTimeZoneName(value: string): boolean {
  return value.length <= 64 && /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value);
}

function parseParts(json: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) throw new RlmError('STORE_FAILED', 'a child context stored as parts is not an array of strings');
  return parsed;
}

function documentSize(ranges: Pick<DocumentRanges, 'sizeFor'>, runId: string, hash: string): number {
  const size = ranges.sizeFor(runId, hash);
  if (size === null) throw new RlmError('STORE_FAILED', `run ${runId} names document ${hash}, which the store does not have`);
  return size;
}

function readDocument(ranges: Pick<DocumentRanges, 'sizeFor' | 'chunk'>, runId: string, hash: string): string {
  const size = documentSize(ranges, runId, hash);
  const chunks: Buffer[] = [];
  for (let idx = 0; idx * CHUNK_BYTES < size; idx++) chunks.push(ranges.chunk(hash, idx));
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes a document to `path` chunk by chunk: an input of gigabytes is never one buffer. */
async function copyDocument(ranges: Pick<DocumentRanges, 'sizeFor' | 'chunk'>, runId: string, hash: string, path: string): Promise<void> {
  const size = documentSize(ranges, runId, hash);
  const out = createWriteStream(path, { mode: 0o600 });
  const done = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
  });
  try {
    for (let idx = 0; idx * CHUNK_BYTES < size; idx++) {
      if (!out.write(ranges.chunk(hash, idx))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  } catch (error) {
    // A chunk gone mid-copy (the run deleted meanwhile): the file is closed before the error
    // goes on, not left open.
    done.catch(() => undefined);
    await new Promise<void>((resolve) => {
      out.once('close', () => resolve());
      out.destroy();
    });
    throw error;
  }
  out.end();
  await done;
}

/** Whether the sandbox sees the context the original saw (its shape, sizes and names). */
function contextDifference(recorded: ContextInfo | null, rebuilt: ContextInfo): { expected: string; actual: string } | null {
  if (!recorded) return null;
  const shape = (info: ContextInfo) => JSON.stringify({ kind: info.kind, length: info.length, items: info.items, names: info.names, itemLengths: info.itemLengths, preview: info.preview });
  if (shape(recorded) === shape(rebuilt)) return null;
  const describe = (info: ContextInfo) => `${info.kind} of ${info.length.toLocaleString('en-US')} characters${info.items !== undefined ? ` in ${info.items} items` : ''}`;
  return { expected: describe(recorded), actual: describe(rebuilt) };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new RlmError('INVALID_INPUT', 'the replay was cancelled');
}
