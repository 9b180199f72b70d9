// Whether bytes are text the model's code can search, judged from the start of a file: the
// service refuses binary inputs with this, and the page uses it to refuse them before uploading.
import { byteOrderMark, type TextEncodingName } from './textEncoding';

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

const SIGNATURES: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['a PDF document', ascii('%PDF-')],
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a GIF image', ascii('GIF8')],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a ZIP archive (or an Office document)', [0x50, 0x4b, 0x03, 0x04]],
  ['a gzip archive', [0x1f, 0x8b]],
  ['an executable', [0x7f, 0x45, 0x4c, 0x46]],
  ['a SQLite database', [...ascii('SQLite format 3'), 0]],
];

/** What kind of binary file these first bytes belong to, or null when they look like text. */
export function binaryKind(sample: Uint8Array): string | null {
  // UTF-16 text is half NUL bytes: judged on its characters, once its byte-order mark says so.
  const bom = byteOrderMark(sample);
  if (bom && bom.encoding !== 'utf-8') return utf16Kind(sample, bom.encoding);
  for (const [kind, signature] of SIGNATURES) {
    if (sample.length >= signature.length && signature.every((byte, i) => sample[i] === byte)) return kind;
  }
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return 'a binary file (it contains NUL bytes)';
    // Control characters other than tab, newline, form feed, carriage return and escape.
    if (byte < 0x20 && byte !== 9 && byte !== 10 && byte !== 12 && byte !== 13 && byte !== 27) control++;
  }
  return sample.length > 0 && control / sample.length > 0.1 ? 'a binary file (it is mostly control characters)' : null;
}

function utf16Kind(sample: Uint8Array, encoding: TextEncodingName): string | null {
  // Code units after the 2-byte BOM; an odd last byte is half a unit cut by the sample's end.
  const units = Math.floor((sample.length - 2) / 2);
  let control = 0;
  for (let i = 0; i < units; i++) {
    const lo = sample[2 + 2 * i] as number;
    const hi = sample[3 + 2 * i] as number;
    const code = encoding === 'utf-16le' ? lo | (hi << 8) : (lo << 8) | hi;
    if (code === 0) return 'a binary file (it contains NUL characters)';
    if (code < 0x20 && code !== 9 && code !== 10 && code !== 12 && code !== 13 && code !== 27) control++;
  }
  return units > 0 && control / units > 0.1 ? 'a binary file (it is mostly control characters)' : null;
}
