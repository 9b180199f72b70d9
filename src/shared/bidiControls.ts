// The invisible characters that reorder the text around them (Unicode's bidirectional controls:
// the Arabic letter mark, LRM and RLM, the embeddings and overrides U+202A–E, the isolates
// U+2066–9). Model output and input files may hold them, and then a label or a line of code can
// show one thing and be another ("Trojan Source"). The terminal replaces them (cli/format.ts);
// the page keeps them and draws each visibly, kept from acting (run/text/BidiSafe.tsx).

/** Matches one such character; with the g flag, for split and replace. */
export const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMES: Record<string, string> = {
  '\u061c': 'ALM',
  '\u200e': 'LRM',
  '\u200f': 'RLM',
  '\u202a': 'LRE',
  '\u202b': 'RLE',
  '\u202c': 'PDF',
  '\u202d': 'LRO',
  '\u202e': 'RLO',
  '\u2066': 'LRI',
  '\u2067': 'RLI',
  '\u2068': 'FSI',
  '\u2069': 'PDI',
};

/** Unicode's abbreviation of a bidirectional control ("RLO"), and its code point ("U+202E"). */
export function bidiControlName(char: string): { short: string; codePoint: string } {
  const code = char.codePointAt(0) ?? 0;
  return { short: NAMES[char] ?? '?', codePoint: `U+${code.toString(16).toUpperCase().padStart(4, '0')}` };
}

export function hasBidiControl(text: string): boolean {
  BIDI_CONTROL.lastIndex = 0;
  const found = BIDI_CONTROL.test(text);
  BIDI_CONTROL.lastIndex = 0;
  return found;
}

/**
 * `text` with each bidirectional control replaced by its name in brackets ("[RLO]"): for what
 * cannot hold a styled span — a tooltip (a title attribute), which the system draws and where an
 * override would reorder the text as it would anywhere.
 */
export function namedBidiControls(text: string): string {
  if (!hasBidiControl(text)) return text;
  return text.replace(BIDI_CONTROL, (char) => `[${bidiControlName(char).short}]`);
}
