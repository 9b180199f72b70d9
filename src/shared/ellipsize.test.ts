import { describe, expect, it } from 'vitest';
import { ellipsize, wellFormed } from './ellipsize';

const isWellFormed = (text: string) => wellFormed(text) === text;

describe('ellipsize', () => {
  it('keeps a text that fits, and cuts a longer one to max units with the mark', () => {
    expect(ellipsize('abc', 3)).toBe('abc');
    expect(ellipsize('abcdef', 4)).toBe('abc…');
  });

  it('never leaves half of a surrogate pair at the cut', () => {
    // 'ab' then an emoji whose halves sit at 2 and 3: a cut at 3 units would keep one half.
    const text = 'ab🧪cdef';
    const cut = ellipsize(text, 4);
    expect(cut).toBe('ab…');
    expect(isWellFormed(cut)).toBe(true);
    expect(isWellFormed(text.slice(0, 3))).toBe(false);
    expect(ellipsize(text, 5)).toBe('ab🧪…');
    for (let max = 1; max < 40; max++) expect(isWellFormed(ellipsize('🧪'.repeat(20), max)), String(max)).toBe(true);
  });

  it('makes a lone half of a pair U+FFFD, and leaves pairs and other text as they are', () => {
    expect(wellFormed('a\ud800b\udfffc\udfff\ud800')).toBe('a\ufffdb\ufffdc\ufffd\ufffd');
    expect(wellFormed('ok 🧪 𝄞 ü')).toBe('ok 🧪 𝄞 ü');
    expect(wellFormed('\ud83d')).toBe('\ufffd');
  });
});
