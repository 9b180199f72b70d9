import { describe, expect, it } from 'vitest';
import { RlmError } from '../../shared/errors';
import { detectEncoding, invalidUtf8Offset } from '../../shared/textEncoding';
import { TextCheck } from './textCheck';

/** Feeds `bytes` to a fresh check in chunks of `size`; returns the error message, or null. */
function checked(bytes: Buffer, encoding: ConstructorParameters<typeof TextCheck>[1], size: number): string | null {
  const check = new TextCheck('big.txt', encoding);
  try {
    for (let i = 0; i < bytes.length; i += size) check.update(bytes.subarray(i, i + size));
    check.end();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(RlmError);
    expect((error as RlmError).code).toBe('BINARY_FILE');
    return (error as RlmError).message;
  }
}

describe('TextCheck', () => {
  const text = Buffer.from('naïve café — 日本 😀 '.repeat(5000));

  it('passes text whose characters are cut at every chunk boundary', () => {
    for (const size of [1, 2, 3, 5, 4096]) expect(checked(text, 'utf-8', size)).toBeNull();
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('héllo wörld', 'utf16le')]);
    expect(checked(utf16, 'utf-16le', 3)).toBeNull();
    expect(checked(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'windows-1252', 1)).toBeNull();
  });

  it('names the offset of a NUL byte found far past the head', () => {
    const late = Buffer.concat([Buffer.alloc(100_000, 'a'), Buffer.from([0]), Buffer.alloc(10, 'b')]);
    expect(checked(late, 'utf-8', 65_536)).toBe('big.txt has a NUL byte at byte 100000: it looks like a binary file; RLMScope reads text files only');
    expect(checked(late, 'windows-1252', 7)).toMatch(/NUL byte at byte 100000/);
    // UTF-16: a NUL character, not a NUL byte (every ASCII character has one).
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('ab', 'utf16le'), Buffer.from([0, 0])]);
    expect(checked(utf16, 'utf-16le', 3)).toMatch(/a NUL character at byte 6/);
  });

  it('names the offset of bytes that are not UTF-8, and a character cut short at the end', () => {
    const latin1 = Buffer.concat([Buffer.alloc(70_000, 'a'), Buffer.from('caf\xe9 na\xefve', 'latin1')]);
    expect(checked(latin1, 'utf-8', 65_536)).toBe('big.txt has bytes that are not UTF-8 at byte 70003: save it as UTF-8');
    // At the very end, a character cut short (or a Latin-1 letter) cannot be carried further.
    expect(checked(latin1.subarray(0, 70_004), 'utf-8', 65_536)).toMatch(/not UTF-8 at byte 70003/);
    expect(checked(Buffer.from([0x61, 0xe6, 0x97]), 'utf-8', 2)).toMatch(/not UTF-8 at byte 1/);
    expect(checked(Buffer.from([0xff, 0xfe, 0x61, 0, 0x62]), 'utf-16le', 2)).toMatch(/half a UTF-16 character at its end \(byte 4\)/);
  });
});

describe('detectEncoding', () => {
  it('knows BOMs, takes UTF-8 cut at the end of a head, and calls the rest Windows-1252', () => {
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x61, 0]), false)).toBe('utf-16le');
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0, 0x61]), false)).toBe('utf-16be');
    expect(detectEncoding(Buffer.from('\ufeffhé'), true)).toBe('utf-8');
    expect(detectEncoding(Buffer.from('日本').subarray(0, 4), false)).toBe('utf-8');
    expect(detectEncoding(Buffer.from('日本').subarray(0, 4), true)).toBe('windows-1252');
    expect(detectEncoding(Buffer.from('caf\xe9 na\xefve', 'latin1'), true)).toBe('windows-1252');
    // Overlong forms and surrogates are not UTF-8 either.
    expect(invalidUtf8Offset(Buffer.from([0x61, 0xc0, 0xaf]))).toBe(1);
    expect(invalidUtf8Offset(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0);
    expect(invalidUtf8Offset(Buffer.from('😀 ok'))).toBe(-1);
  });
});
