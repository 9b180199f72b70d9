import { describe, expect, it } from 'vitest';
import { binaryKind, sniffBlob, SNIFF_BYTES } from './binarySniff';

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (s: string) => new TextEncoder().encode(s);

describe('binaryKind', () => {
  it('passes text, UTF-8 and empty files', () => {
    expect(binaryKind(text('hello\tworld\r\n'))).toBeNull();
    expect(binaryKind(text('naïve café — 日本語 🎉'))).toBeNull();
    expect(binaryKind(bytes())).toBeNull();
  });

  it('names known formats by their magic numbers', () => {
    expect(binaryKind(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBe('a PNG image');
    expect(binaryKind(text('%PDF-1.7\n'))).toBe('a PDF document');
    expect(binaryKind(bytes(0x1f, 0x8b, 8))).toBe('a gzip archive');
    expect(binaryKind(bytes(0x50, 0x4b, 3, 4, 20))).toBe('a ZIP archive (or an Office document)');
  });

  it('refuses NUL bytes and mostly control characters', () => {
    expect(binaryKind(text('abc\0def'))).toBe('a binary file (it contains NUL bytes)');
    expect(binaryKind(bytes(1, 2, 3, 65, 66))).toBe('a binary file (it is mostly control characters)');
  });

  it('does not match a signature longer than the file', () => {
    expect(binaryKind(text('%PD'))).toBeNull();
  });
});

describe('sniffBlob', () => {
  it('looks at the first 8 KiB only', async () => {
    const late = new Uint8Array(SNIFF_BYTES + 10).fill(65);
    late[SNIFF_BYTES + 5] = 0;
    expect(await sniffBlob(new Blob([late]))).toBeNull();
    late[SNIFF_BYTES - 1] = 0;
    expect(await sniffBlob(new Blob([late]))).toBe('a binary file (it contains NUL bytes)');
  });
});
