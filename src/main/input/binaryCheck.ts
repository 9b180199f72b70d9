// Whether a file is text the model's code can search, judged from its first 64 KB.
import { open } from 'node:fs/promises';

/** How much of the start of a file the judgement reads. */
export const SAMPLE_BYTES = 64 * 1024;

const SIGNATURES: Array<[string, number[]]> = [
  ['a PDF document', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a ZIP archive (or an Office document)', [0x50, 0x4b, 0x03, 0x04]],
  ['a gzip archive', [0x1f, 0x8b]],
  ['an executable', [0x7f, 0x45, 0x4c, 0x46]],
  ['a SQLite database', [...Buffer.from('SQLite format 3\0')]],
];

/** What kind of binary file this is, or null when it looks like text. */
export function binaryKind(sample: Uint8Array): string | null {
  for (const [kind, signature] of SIGNATURES) {
    if (signature.every((byte, i) => sample[i] === byte)) return kind;
  }
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return 'a binary file (it contains NUL bytes)';
    // Control characters other than tab, newline, form feed, carriage return and escape.
    if (byte < 0x20 && byte !== 9 && byte !== 10 && byte !== 12 && byte !== 13 && byte !== 27) control++;
  }
  return sample.length > 0 && control / sample.length > 0.1 ? 'a binary file (it is mostly control characters)' : null;
}

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
