// Checks a file's bytes as it is read in full (the run stores every input before its first
// step): the head was judged when the run started, but a 2 GB file can be text for 64 KB and
// binary after. A NUL found late, or bytes that are not in the file's encoding, fail the run
// with the file's name and the offset, instead of becoming U+FFFD or NULs in `context`.
import { isUtf8 } from 'node:buffer';
import { RlmError } from '../../shared/errors';
import { invalidUtf8Offset, type TextEncodingName } from '../../shared/textEncoding';

export class TextCheck {
  private offset = 0;
  /** The start of a character cut by the end of the previous chunk (UTF-8: ≤3 bytes; UTF-16: 1). */
  private carry: Buffer = Buffer.alloc(0);

  constructor(
    private readonly name: string,
    private readonly encoding: TextEncodingName,
  ) {}

  update(chunk: Buffer): void {
    const bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const start = this.offset - this.carry.length;
    if (this.encoding === 'utf-16le' || this.encoding === 'utf-16be') {
      const even = bytes.length - (bytes.length % 2);
      for (let i = 0; i < even; i += 2) {
        if (bytes[i] === 0 && bytes[i + 1] === 0) this.fail(`a NUL character at byte ${start + i}`);
      }
      this.carry = Buffer.from(bytes.subarray(even));
    } else {
      const nul = bytes.indexOf(0);
      if (nul !== -1) this.fail(`a NUL byte at byte ${start + nul}`);
      if (this.encoding === 'utf-8') {
        const cut = completeLength(bytes);
        // isUtf8 is native and allocates nothing; the slow scan runs only to name the offset.
        if (!isUtf8(bytes.subarray(0, cut))) {
          this.fail(`bytes that are not UTF-8 at byte ${start + invalidUtf8Offset(bytes.subarray(0, cut))}`, 'save it as UTF-8');
        }
        this.carry = Buffer.from(bytes.subarray(cut));
      }
    }
    this.offset += chunk.length;
  }

  end(): void {
    if (!this.carry.length) return;
    const at = this.offset - this.carry.length;
    if (this.encoding === 'utf-8') this.fail(`bytes that are not UTF-8 at byte ${at}`, 'save it as UTF-8');
    this.fail(`half a UTF-16 character at its end (byte ${at})`, 'it may be cut short');
  }

  private fail(what: string, advice = 'it looks like a binary file; RLMScope reads text files only'): never {
    throw new RlmError('BINARY_FILE', `${this.name} has ${what}: ${advice}`);
  }
}

/** How many bytes of `bytes` end on a character boundary (a UTF-8 sequence cut at the end is left out). */
function completeLength(bytes: Buffer): number {
  for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 4); i--) {
    const b = bytes[i] as number;
    if ((b & 0xc0) === 0x80) continue;
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + length > bytes.length ? i : bytes.length;
  }
  return bytes.length;
}
