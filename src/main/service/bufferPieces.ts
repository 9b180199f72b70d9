// A slice's bytes as the pieces the request brought them in (uploads.ts): where they land in
// the head, and what is left of them after a partial write.

/** Copies the pieces, laid end to end from `position` in the file, into `head` where they overlap it. */
export function copyInto(head: Buffer, pieces: readonly Buffer[], position: number): void {
  let at = position;
  for (const piece of pieces) {
    if (at >= head.length) return;
    piece.copy(head, at, 0, Math.min(piece.length, head.length - at));
    at += piece.length;
  }
}

/** The pieces left once `written` bytes of them went out. */
export function after(pieces: Buffer[], written: number): Buffer[] {
  let rest = written;
  let i = 0;
  while (i < pieces.length && rest >= (pieces[i] as Buffer).length) rest -= (pieces[i++] as Buffer).length;
  const left = pieces.slice(i);
  if (rest > 0 && left.length > 0) left[0] = (left[0] as Buffer).subarray(rest);
  return left;
}
