import { describe, expect, it } from 'vitest';
import { markMatches, PAGE_BYTES, pageStartFor } from './documentPaging';

describe('pageStartFor', () => {
  it('puts pages on a fixed grid', () => {
    expect(pageStartFor(0)).toBe(0);
    expect(pageStartFor(PAGE_BYTES - 1)).toBe(0);
    expect(pageStartFor(PAGE_BYTES * 3 + 5)).toBe(PAGE_BYTES * 3);
  });
});

describe('markMatches', () => {
  it('maps byte offsets onto characters, multi-byte ones included', () => {
    // "é" is 2 bytes, "€" 3, "😀" 4 (two UTF-16 units).
    const text = 'é€ foo 😀 foo';
    const pieces = markMatches(text, 1000, [
      { start: 1000 + 6, end: 1000 + 9 },
      { start: 1000 + 15, end: 1000 + 18 },
    ]);
    expect(pieces).toEqual([
      { text: 'é€ ', match: -1 },
      { text: 'foo', match: 0 },
      { text: ' 😀 ', match: -1 },
      { text: 'foo', match: 1 },
    ]);
    expect(pieces.map((p) => p.text).join('')).toBe(text);
  });

  it('marks the part of a match that the page holds', () => {
    expect(markMatches('abcdef', 10, [{ start: 5, end: 12 }, { start: 15, end: 30 }])).toEqual([
      { text: 'ab', match: 0 },
      { text: 'cde', match: -1 },
      { text: 'f', match: 1 },
    ]);
    expect(markMatches('plain', 0, [])).toEqual([{ text: 'plain', match: -1 }]);
    // A match right after a 4-byte character starts after both of its UTF-16 units.
    expect(markMatches('😀x', 0, [{ start: 4, end: 5 }])).toEqual([
      { text: '😀', match: -1 },
      { text: 'x', match: 0 },
    ]);
  });
});
