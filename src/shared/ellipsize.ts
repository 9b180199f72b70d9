// A one-line text for the tree (a label), cut without splitting a character: a cut between the
// two halves of a surrogate pair (an emoji, 𝄞) left a lone half, which SQLite stored as bytes that
// are not UTF-8 and which every reader then showed as U+FFFD.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `text` with any half of a surrogate pair that stands alone as U+FFFD (String.prototype.toWellFormed,
 * which this project's ES2023 typings lack): what a reader of the stored label would show, now
 * stored as UTF-8 that every reader reads alike.
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Where to cut `text` at or just before `end` (a UTF-16 index) without splitting a surrogate
 * pair: `end`, or one less when the unit before it opens a pair that goes on past it.
 */
export function wholeCharEnd(text: string, end: number): number {
  const last = text.charCodeAt(end - 1);
  return end < text.length && last >= 0xd800 && last <= 0xdbff ? end - 1 : end;
}

/** `text` when it has at most `max` UTF-16 units; else its start, whole characters only, and `…`. */
export function ellipsize(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, wholeCharEnd(text, max - 1))}…`;
}
