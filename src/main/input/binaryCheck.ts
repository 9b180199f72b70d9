// Whether a file is text the model's code can search, and in which encoding, judged from its
// first 64 KB. The rest is checked while the run stores it (textCheck.ts), in the read that
// happens anyway.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { binaryKind } from '../../shared/binaryKind';
import { detectEncoding, type TextEncodingName } from '../../shared/textEncoding';

export { binaryKind };

/** How much of the start of a file the judgement reads. */
export const SAMPLE_BYTES = 64 * 1024;

export type FileInspection =
  | { regular: true; binary: string | null; encoding: TextEncodingName; size: number }
  /** A named pipe, a socket or a device: `what` says which. */
  | { regular: false; what: string };

export async function inspectFile(path: string): Promise<FileInspection> {
  // O_NONBLOCK: opening a named pipe for reading otherwise waits for a writer, forever. What is
  // not a regular file is refused from the open handle, so a file swapped for a pipe after a
  // stat() cannot hang us either. (O_NONBLOCK does not exist on Windows, nor do pipes in paths.)
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { regular: false, what: specialKind(info) };
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SAMPLE_BYTES, 0);
    const head = buffer.subarray(0, bytesRead);
    return { regular: true, binary: binaryKind(head), encoding: detectEncoding(head, bytesRead === info.size), size: info.size };
  } finally {
    await handle.close();
  }
}

export function specialKind(info: { isFIFO(): boolean; isSocket(): boolean; isDirectory(): boolean }): string {
  if (info.isFIFO()) return 'a named pipe';
  if (info.isSocket()) return 'a socket';
  if (info.isDirectory()) return 'a folder';
  return 'a device';
}
