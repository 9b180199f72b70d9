// Pure helpers of the Input view: which page shows a byte offset, and where the search's matches
// (byte offsets into the document) fall in a page's text (character offsets).
import type { DocumentMatch } from '../../../../shared/api/documents';

/** Bytes per page: a few hundred lines on screen, read in one small request. */
export const PAGE_BYTES = 64 * 1024;

/** The start of the page that holds byte `offset` (pages sit on a fixed grid of PAGE_BYTES). */
export function pageStartFor(offset: number): number {
  return offset - (offset % PAGE_BYTES);
}

export interface MarkedPiece {
  text: string;
  /** Index of the match (in the list given) this piece belongs to, or -1 for plain text. */
  match: number;
}

/** UTF-8 bytes of the UTF-16 code unit at `i` (a surrogate pair counts 4 on its first unit). */
function utf8Bytes(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c <= 0xdbff) return 4;
  if (c >= 0xdc00 && c <= 0xdfff) return 0;
  return 3;
}

/**
 * `text` (the page starting at byte `pageOffset`) cut into plain pieces and match pieces. A match
 * that starts before the page or ends after it is marked for the part the page holds.
 */
export function markMatches(text: string, pageOffset: number, matches: readonly DocumentMatch[]): MarkedPiece[] {
  const pieces: MarkedPiece[] = [];
  // Byte position → character index, walked forward once over the page.
  let char = 0;
  let byte = pageOffset;
  const charAt = (target: number) => {
    // The second unit of a surrogate pair (0 bytes) goes with its first: never stop between them.
    while (char < text.length && (byte < target || utf8Bytes(text, char) === 0)) byte += utf8Bytes(text, char++);
    return char;
  };
  let last = 0;
  matches.forEach((match, index) => {
    if (match.end <= pageOffset || char >= text.length) return;
    const start = Math.max(last, charAt(match.start));
    const end = charAt(match.end);
    if (end <= start) return;
    if (start > last) pieces.push({ text: text.slice(last, start), match: -1 });
    pieces.push({ text: text.slice(start, end), match: index });
    last = end;
  });
  if (last < text.length || pieces.length === 0) pieces.push({ text: text.slice(last), match: -1 });
  return pieces;
}
