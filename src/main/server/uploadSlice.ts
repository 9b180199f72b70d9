// Where the body of `PUT /uploads/<id>` goes in the file: `?offset=<byte>` in the query, and its
// length from Content-Length (absent for a chunked body), checked strictly since they decide
// where bytes are written. Nothing else may be in the query: a misspelt `ofset=` must not quietly
// write at the start of the file.
import type { SliceRange } from '../service/uploads';

/** Decimal, no sign, no leading zero, no exponent: what `String(n)` gives for a byte offset. */
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

/** The slice's range, or why the request is refused (one line for the page). */
export function sliceRange(query: URLSearchParams, contentLength: string | undefined): SliceRange | string {
  const keys = [...query.keys()];
  if (keys.some((key) => key !== 'offset')) return `unexpected query parameter "${keys.find((key) => key !== 'offset')}": an upload takes ?offset=<byte> only`;
  const offsets = query.getAll('offset');
  if (offsets.length > 1) return 'offset is given more than once';
  const range: SliceRange = {};
  if (offsets.length === 1) {
    const offset = bytePosition(offsets[0] as string);
    if (offset === null) return `offset "${(offsets[0] as string).slice(0, 40)}" is not a byte position (a whole number, 0 or more)`;
    range.offset = offset;
  }
  if (contentLength !== undefined) {
    // Node's parser has already refused a malformed or repeated Content-Length; this is the number.
    const length = bytePosition(contentLength);
    if (length === null) return `Content-Length "${contentLength.slice(0, 40)}" is not a byte count`;
    range.length = length;
  }
  return range;
}

function bytePosition(text: string): number | null {
  if (!DECIMAL.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}
