import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadContext } from './contextLoader';

const dir = mkdtempSync(join(tmpdir(), 'rlm-context-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const text = 'naïve café ☕ 😀 résumé\n'.repeat(50);

describe('loadContext encodings', () => {
  it('decodes UTF-16 LE and BE (dropping the BOM), Windows-1252, and UTF-8 with its BOM dropped', () => {
    const le = file('le.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const be = file('be.txt', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
    const cp1252 = file('cp.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x20, 0x93, 0x71, 0x94]));
    const bom = file('bom.txt', Buffer.from(`\ufeff${text}`));
    const loaded = loadContext({
      kind: 'items',
      asArray: true,
      partBytes: 1 << 20,
      items: [
        { name: 'le.txt', path: le, encoding: 'utf-16le' },
        { name: 'be.txt', path: be, encoding: 'utf-16be' },
        { name: 'cp.txt', path: cp1252, encoding: 'windows-1252' },
        { name: 'bom.txt', path: bom },
      ],
    });
    expect(loaded.parts).toEqual([text, text, 'café € “q”', text]);
    expect(loaded.split).toBe(false);
  });

  it('splits a large UTF-16 file into parts without breaking a character, surrogate pairs included', () => {
    const le = file('big-le.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    // 101 bytes a part: every part ends mid code unit or mid surrogate pair somewhere.
    const loaded = loadContext({ kind: 'items', asArray: false, partBytes: 101, wholeBytes: 101, items: [{ name: 'big-le.txt', path: le, encoding: 'utf-16le' }] });
    expect(loaded.split).toBe(true);
    expect(loaded.parts.join('')).toBe(text);
    for (const part of loaded.parts) expect(part.length).toBeLessThanOrEqual(101);
  });
});

describe('loadContext part sizes', () => {
  const lines = Array.from({ length: 40 }, (_, i) => `line ${i} café\n`).join('');

  it('keeps a file that fits in one string whole, whatever the part size, in every encoding', () => {
    const utf8 = file('whole.txt', Buffer.from(lines));
    const cp1252 = file('whole-cp.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x21])); // odd length
    const le = file('whole-le.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines, 'utf16le')]));
    const loaded = loadContext({
      kind: 'items',
      asArray: true,
      partBytes: 2 ** 20, // smaller than none of them would matter: wholeBytes decides
      wholeBytes: 4096,
      items: [
        { name: 'whole.txt', path: utf8 },
        { name: 'whole-cp.txt', path: cp1252, encoding: 'windows-1252' },
        { name: 'whole-le.txt', path: le, encoding: 'utf-16le' },
      ],
    });
    expect(loaded.parts).toEqual([lines, 'café!', lines]);
    expect(loaded.split).toBe(false);
    const small = loadContext({ kind: 'items', asArray: false, partBytes: 16, wholeBytes: 4096, items: [{ name: 'whole.txt', path: utf8 }] });
    expect(small.parts).toEqual([lines]);
  });

  it('cuts a larger file every partBytes bytes, lines included, never a character', () => {
    const path = file('parts.txt', Buffer.from(lines));
    const bytes = Buffer.byteLength(lines);
    const loaded = loadContext({ kind: 'items', asArray: false, partBytes: 64, wholeBytes: 100, items: [{ name: 'parts.txt', path }] });
    expect(loaded.split).toBe(true);
    expect(loaded.parts.join('')).toBe(lines);
    expect(loaded.parts.length).toBe(Math.ceil(bytes / 64));
    // Each part is its 64 bytes, give or take the 'é' (2 bytes) cut at its end and carried to the next.
    let at = 0;
    for (const part of loaded.parts) {
      expect(Math.abs(Buffer.byteLength(part) - Math.min(64, bytes - at))).toBeLessThanOrEqual(1);
      at += Buffer.byteLength(part);
    }
    expect(loaded.parts.some((part) => !part.endsWith('\n'))).toBe(true); // a line is cut where the bytes end, as before
    expect(loaded.names[0]).toBe(`parts.txt (part 1/${loaded.parts.length})`);
  });
});
