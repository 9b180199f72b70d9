// The folder of one service's uploads, `<root>/<pid>-<random>`, and the clean-up of the folders
// that services which died (crash, kill -9) could not remove themselves.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '../store/ownerCheck';

const DAY_MS = 24 * 3600 * 1000;
const FOLDER_NAME = /^(\d+)-[0-9a-f]{12}$/;

export function newUploadFolderName(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Creates the folder readable by the user only: it holds what the user dropped. */
export async function createUploadFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
}

/**
 * Removes the upload folders of processes that are gone and that nothing touched for `maxAgeMs`.
 * Both: a live service may run for days with a folder it has not written to, and a pid alone
 * may have been reused since. Folders not named like ours are left alone. Returns those removed.
 */
export async function sweepStaleUploadFolders(root: string, now = Date.now(), maxAgeMs = DAY_MS): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return []; // no uploads ever: nothing to sweep
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(FOLDER_NAME.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(pid) || pid === process.pid || isProcessAlive(pid)) continue;
    const path = join(root, name);
    try {
      const info = await stat(path);
      if (!info.isDirectory() || now - info.mtimeMs < maxAgeMs) continue;
      await rm(path, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Gone already, or not ours to remove: either way nothing to do.
    }
  }
  return removed;
}
