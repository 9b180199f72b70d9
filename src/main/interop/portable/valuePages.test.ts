import { describe, expect, it } from 'vitest';
import { VALUE_PAGE_CHARS } from './format';
import { pagesOf } from './writePortable';

describe("a value's pages in a portable file", () => {
  it('are at most a page long, whole again when joined, and never cut a surrogate pair', () => {
    const block = `${'a'.repeat(VALUE_PAGE_CHARS - 1)}😀b${'c'.repeat(VALUE_PAGE_CHARS)}`;
    const pages = [...pagesOf(block)];
    expect(pages.join('')).toBe(block);
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(VALUE_PAGE_CHARS);
    // The emoji would straddle the first cut: it moves whole to the second page.
    expect(pages[0]).toHaveLength(VALUE_PAGE_CHARS - 1);
    expect(pages[1]?.startsWith('😀b')).toBe(true);
    expect([...pagesOf('')]).toEqual([]);
  });
});
