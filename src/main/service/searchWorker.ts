// The body of the search worker thread. It runs as `new Worker(source, { eval: true })` from the
// text of `searchWorkerMain`, so it needs no entry point of its own in the build and works the
// same from the sources (tests) and from out/ (the app). Hence: no imports, no closures over this
// module; everything it uses it requires itself.
//
// Protocol: `start` once, then one `chunk` at a time, each answered with `progress` (matches found
// so far are final); `final: true` on the last chunk, answered with `done`. The parent sends the
// next chunk only after the answer: it reads chunks on its own thread, between other requests.

export interface SearchStart {
  type: 'start';
  source: string;
  flags: string;
  /** Byte offset of the first byte of the first chunk. */
  base: number;
  /** Stop after this many matches (the parent asks for one more than it returns). */
  limit: number;
}
export interface SearchChunk {
  type: 'chunk';
  data: Uint8Array;
  final: boolean;
}
export type SearchReply =
  | { type: 'progress'; matches: number[]; scannedTo: number }
  | { type: 'done'; matches: number[]; scannedTo: number; full: boolean };

/** Characters kept from the end of one chunk's text for the next: a match up to this long is found whole across a boundary. */
export const CARRY_CHARS = 64 * 1024;
/** A match still going at a chunk's end is carried whole into the next one up to this length. */
export const LONG_MATCH_CHARS = 1024 * 1024;

export function searchWorkerMain(carryChars: number, longMatchChars: number): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an eval worker is CommonJS
  const { parentPort } = require('node:worker_threads') as typeof import('node:worker_threads');
  if (!parentPort) return;
  const port = parentPort;
  const decoder = new TextDecoder('utf-8');
  let re: RegExp = /$^/g;
  let limit = 0;
  let found = 0;
  let carry = '';
  let carryByte = 0;

  port.on('message', (message: SearchStart | SearchChunk) => {
    if (message.type === 'start') {
      re = new RegExp(message.source, message.flags);
      limit = message.limit;
      carryByte = message.base;
      return;
    }
    const final = message.final;
    const window = carry + decoder.decode(message.data, { stream: !final });
    // Bytes are counted forward only, from the window's start, as the matches come in order.
    let cursorChar = 0;
    let cursorByte = carryByte;
    const byteAt = (index: number) => {
      cursorByte += Buffer.byteLength(window.slice(cursorChar, index));
      cursorChar = index;
      return cursorByte;
    };
    // A match must end before the carried tail: the next chunk may lengthen it (`a+` across a
    // boundary). The tail starts at a line's start where one is near, so that `^` (flag m) at
    // the start of the next window means a real line start, not the middle of a line.
    // Without the u flag a regex sees UTF-16 units: a match (`.`) or a cut may fall between the
    // halves of an astral character ("😀"). Offsets are of whole characters, so such an index
    // moves back (a start, a cut) or forward (an end) onto the character's edge; counting the
    // bytes of a lone half (3, as U+FFFD) would shift every offset after it.
    const inPair = (index: number) =>
      index > 0 && index < window.length && (window.charCodeAt(index - 1) & 0xfc00) === 0xd800 && (window.charCodeAt(index) & 0xfc00) === 0xdc00;
    const back = (index: number) => (inPair(index) ? index - 1 : index);
    let accept = window.length;
    if (!final) {
      accept = back(Math.max(0, window.length - carryChars));
      const newline = accept > 0 ? window.lastIndexOf('\n', accept - 1) : -1;
      if (newline >= 0 && accept - (newline + 1) <= longMatchChars) accept = newline + 1;
    }
    let keepFrom = accept;
    const matches: number[] = [];
    re.lastIndex = 0;
    let full = false;
    let lastEnd = 0;
    for (let m = re.exec(window); m; m = re.exec(window)) {
      if (m[0].length === 0) {
        // Empty matches (`x*`) are nothing to jump to; step over them.
        re.lastIndex = m.index + 1;
        continue;
      }
      const start = back(m.index);
      const end = inPair(m.index + m[0].length) ? m.index + m[0].length + 1 : m.index + m[0].length;
      if (end > accept && window.length - start <= longMatchChars) {
        keepFrom = Math.min(keepFrom, start);
        break;
      }
      if (start < lastEnd) {
        // The other half of a character the last match ended in: that match grows, no new one.
        if (end > lastEnd) matches[matches.length - 1] = byteAt(end);
        lastEnd = Math.max(lastEnd, end);
        continue;
      }
      matches.push(byteAt(start), byteAt(end));
      lastEnd = end;
      if (++found >= limit) {
        full = true;
        break;
      }
    }
    // A match longer than the tail was taken as it stood: nothing of it may be found again.
    keepFrom = full ? window.length : Math.max(keepFrom, lastEnd);
    carry = window.slice(keepFrom);
    carryByte = byteAt(keepFrom);
    port.postMessage(final || full ? { type: 'done', matches, scannedTo: carryByte, full } : { type: 'progress', matches, scannedTo: carryByte });
  });
}
