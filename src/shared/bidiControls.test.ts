import { describe, expect, it } from 'vitest';
import { BIDI_CONTROL, bidiControlName, hasBidiControl, namedBidiControls } from './bidiControls';

const ALL = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];

describe('bidirectional controls', () => {
  it('matches the twelve controls, each with its own name, and nothing around them', () => {
    expect(ALL.join('').match(BIDI_CONTROL)).toEqual(ALL);
    expect(new Set(ALL.map((c) => bidiControlName(c).short)).size).toBe(12);
    expect(bidiControlName('\u202e')).toEqual({ short: 'RLO', codePoint: 'U+202E' });
    // Right-to-left letters, joiners and other invisibles are not controls of direction.
    expect(hasBidiControl('שלום مرحبا \u200d\u200b\u2060')).toBe(false);
  });

  it('answers the same however often it is asked (the shared global regex keeps no position)', () => {
    for (let i = 0; i < 3; i++) {
      expect(hasBidiControl('a\u202eb')).toBe(true);
      expect(hasBidiControl('ab')).toBe(false);
    }
  });

  it('names each control in a plain string (a tooltip cannot hold a styled span), leaving other text as it is', () => {
    expect(namedBidiControls("// \u202ecba\u202c \u2067x")).toBe('// [RLO]cba[PDF] [RLI]x');
    expect(hasBidiControl(namedBidiControls(ALL.join('')))).toBe(false);
    const plain = 'שלום \u{1F600} abc';
    expect(namedBidiControls(plain)).toBe(plain);
  });
});
