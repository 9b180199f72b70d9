// `rlmscope export RUN_ID --format rlmscope|otlp|rlms -o FILE` and `--otlp-endpoint URL`: reads
// the run through the read-only reader (DESIGN §2: reading runs writes nothing to the database)
// and writes the file whole or not at all — into a temp file beside the target, renamed over it
// only once the exporter finished, so a failed or killed export never leaves half a file.
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { InvalidArgumentError } from 'commander';
import { RlmError } from '../../shared/errors';
import { exporterFor, runOrNotFound, spansOfRun, type ExportFormat, type ExportSource } from '../interop/exporters';
import { pushOtlp } from '../interop/otlp/otlpPush';
import { defaultDatabasePath } from '../paths';
import { openRunReader } from '../store/runReader';
import type { CommandOutput } from './commandOutput';

export interface ExportOptions {
  format?: ExportFormat;
  output?: string;
  otlpEndpoint?: string;
  otlpHeader?: string[];
  db?: string;
}

export async function exportCommand(runId: string, options: ExportOptions, out: CommandOutput): Promise<number> {
  if (!options.output && !options.otlpEndpoint) throw new RlmError('INVALID_INPUT', 'export: give -o FILE, --otlp-endpoint URL, or both');
  if (options.otlpEndpoint && !options.output && options.format && options.format !== 'otlp') {
    throw new RlmError('INVALID_INPUT', `export: --otlp-endpoint sends OTLP spans; --format ${options.format} needs -o FILE`);
  }
  const dbPath = options.db ?? defaultDatabasePath();
  const headers = headersOf(options.otlpHeader ?? []);
  const reader = openRunReader(dbPath);
  try {
    const source: ExportSource = { reader, documents: () => reader.documents() };
    // An unknown run is reported before any file is created.
    runOrNotFound(source, runId);
    if (options.output) {
      const format = options.format ?? 'rlmscope';
      const target = options.output;
      if (resolve(target) === resolve(dbPath)) throw new RlmError('INVALID_INPUT', `cannot write ${target}: it is the database being read`);
      const exporter = exporterFor(format);
      const bytes = await writeWhole(target, (stream) => exporter(source, runId, stream));
      await out.stdout(`exported run ${runId} as ${format} to ${target} (${bytes.toLocaleString('en-US')} bytes)\n`);
    }
    if (options.otlpEndpoint) {
      const sent = await pushOtlp(spansOfRun(source, runId), { endpoint: options.otlpEndpoint, headers });
      await out.stdout(`sent ${sent.spans.toLocaleString('en-US')} spans of run ${runId} to ${options.otlpEndpoint} in ${sent.requests} request${sent.requests === 1 ? '' : 's'}\n`);
    }
    return 0;
  } finally {
    reader.close();
  }
}

/** `--otlp-header K=V` (repeatable), for commander: the value may hold '=' (base64 padding). */
export function otlpHeader(value: string, previous: string[] = []): string[] {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('expected KEY=VALUE, such as Authorization=Basic cGs6c2s=');
  return [...previous, value];
}

function headersOf(pairs: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    headers[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return headers;
}

/**
 * Runs `write` into a temp file in the target's folder (same file system, so the rename is
 * atomic), flushes it to disk and renames it over `target`; on any failure removes the temp file
 * and leaves `target` as it was. Returns the bytes written.
 */
export async function writeWhole(target: string, write: (stream: Writable) => Promise<void>): Promise<number> {
  const folder = dirname(resolve(target));
  if (existsSync(target) && statSync(target).isDirectory()) throw new RlmError('INVALID_INPUT', `cannot write ${target}: it is a folder`);
  const temp = join(folder, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(temp, 'wx');
  } catch (error) {
    throw cannotWrite(target, folder, error);
  }
  // flush: the data reaches the disk before the stream closes the file, and so before the rename.
  // (The stream owns the handle: FileHandle.close() waits for a stream made with autoClose: false
  // to let go of it, and would never resolve.)
  const stream = handle.createWriteStream({ flush: true });
  // Ctrl+C or a kill mid-export: the temp file goes too (exit 130, as `run` does on Ctrl+C).
  const onSignal = () => {
    rmSync(temp, { force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  // A write error (a full disk) fails the exporter's next write; this also catches one after its
  // last. 'error' comes before 'close', so a failed file is never renamed into place.
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => undefined);
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  try {
    await Promise.race([write(stream), failed]);
    stream.end();
    await Promise.race([closed, failed]);
    if (stream.errored) throw stream.errored;
    await rename(temp, target);
    return stream.bytesWritten;
  } catch (error) {
    stream.destroy();
    if (!stream.closed) await closed;
    await rm(temp, { force: true });
    // The file system's errors name the file; the exporter's own (a damaged run) pass as they are.
    throw isFileError(error) ? cannotWrite(target, folder, error) : error;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

function isFileError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

function cannotWrite(target: string, folder: string, error: unknown): RlmError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'ENOENT' ? `the folder ${folder} does not exist`
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EROFS' ? 'the file system is read-only'
    : code === 'ENOSPC' ? 'the disk is full'
    : code === 'EISDIR' ? 'it is a folder'
    : code === 'ENOTDIR' ? `${folder} is not a folder`
    : error instanceof Error ? error.message : String(error);
  return new RlmError('INVALID_INPUT', `cannot write ${target}: ${reason}`);
}
