// Writing a file whole or not at all: into a temp file beside the target, renamed over it only
// once the writer finished, so a failed or killed write never leaves half a file. `rlmscope
// export` and the desktop app's "Export run" both write through it.
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { RlmError } from '../../shared/errors';

export interface WholeFileOptions {
  /**
   * The CLI: on Ctrl+C or SIGTERM, remove the temp file and exit 130. Never in a long-lived
   * process (the desktop app, a server), whose signals are not the write's to handle.
   */
  exitOnSignal?: boolean;
}

/**
 * Runs `write` into a temp file in the target's folder (same file system, so the rename is
 * atomic), flushes it to disk and renames it over `target`; on any failure removes the temp file
 * and leaves `target` as it was. Returns the bytes written.
 */
export async function writeWhole(target: string, write: (stream: Writable) => Promise<void>, options: WholeFileOptions = {}): Promise<number> {
  // The rename replaces whatever is at the path it names. Given a symbolic link, it replaced the
  // link (not the file it points to); given a device or a pipe (`-o /dev/stdout`, `-o /dev/null`,
  // which root may rename over), it replaced the device node with a plain file. So the write
  // goes to the file the path leads to, and only ever over a regular file.
  const path = realTarget(target);
  const folder = dirname(path);
  if (existsSync(path)) {
    const info = statSync(path);
    if (info.isDirectory()) throw new RlmError('INVALID_INPUT', `cannot write ${target}: it is a folder`);
    if (!info.isFile()) throw new RlmError('INVALID_INPUT', `cannot write ${target}: it is not a regular file (a device, pipe or socket); name a file to write`);
  }
  const temp = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
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
  if (options.exitOnSignal) process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
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
    await rename(temp, path);
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

/**
 * The file a write to `target` lands in: the symbolic links of the target and of its folders
 * followed (the path as given when it leads nowhere yet).
 */
export function realTarget(target: string): string {
  const path = resolve(target);
  try {
    return realpathSync(path);
  } catch {
    // Not there yet (or a link that leads nowhere): its folder's real path.
  }
  try {
    return join(realpathSync(dirname(path)), basename(path));
  } catch {
    return path;
  }
}

/**
 * Whether writing `target` would replace the database at `dbPath` or one of SQLite's files beside
 * it (renaming over the WAL of an open database corrupts it), through symbolic links too.
 */
export function isDatabaseFile(dbPath: string, target: string): boolean {
  const db = realTarget(dbPath);
  return [db, `${db}-wal`, `${db}-shm`, `${db}-journal`].includes(realTarget(target));
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
