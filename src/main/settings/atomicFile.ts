// Small files written whole or not at all: a crash mid-write must never leave a half-written
// settings file (read back as corrupt) or a truncated key.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `text` to a temp file beside `path`, then renames it over `path` (atomic on one file
 * system). SECURITY: the temp file is created with `mode` by open(2) itself, so its content is
 * never readable by others, not even for the moment a chmod after writing would leave open.
 * The folder is created private (0700) when missing.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': a fresh file, never someone's existing file or symlink.
  const fd = openSync(temp, 'wx', mode);
  try {
    try {
      writeSync(fd, text);
      // Flushed before the rename: otherwise a power loss can leave the new name on empty content.
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
