// Which encoding a text file is in, judged from its first bytes: a byte-order mark says so
// outright (UTF-16 LE/BE, UTF-8); otherwise bytes that are valid UTF-8 are UTF-8, and anything
// else is taken as Windows-1252 (the superset of Latin-1 that editors on Windows save), with a
// warning, rather than turned into U+FFFD silently. Pure: the service and the page both use it.

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** The byte-order mark's encoding and length, or null when the bytes start without one. */
export function byteOrderMark(head: Uint8Array): { encoding: TextEncodingName; bytes: number } | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bytes: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bytes: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bytes: 2 };
  return null;
}

/**
 * `complete`: the head is the whole file. Otherwise a multi-byte character cut at the end of
 * the head is not held against it.
 */
export function detectEncoding(head: Uint8Array, complete: boolean): TextEncodingName {
  const bom = byteOrderMark(head);
  if (bom) return bom.encoding;
  return invalidUtf8Offset(head, complete) === -1 ? 'utf-8' : 'windows-1252';
}

/** The offset of the first byte that is not valid UTF-8 (RFC 3629), or -1 when there is none. */
export function invalidUtf8Offset(bytes: Uint8Array, complete = true): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let code = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return complete ? i : -1;
      if ((c & 0xc0) !== 0x80) return i;
      code = (code << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (code < min || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return i;
    i += need + 1;
  }
  return -1;
}
