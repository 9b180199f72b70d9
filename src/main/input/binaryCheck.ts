// Whether a file is text the model's code can search, judged from its first 64 KB.
import { open } from 'node:fs/promises';
import { binaryKind } from '../../shared/binaryKind';

export { binaryKind };

/** How much of the start of a file the judgement reads. */
export const SAMPLE_BYTES = 64 * 1024;

export async function fileBinaryKind(path: string): Promise<string | null> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SAMPLE_BYTES, 0);
    return binaryKind(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}
