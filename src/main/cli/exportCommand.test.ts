import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeChunk } from '../interop/streamWrite';
import { otlpHeader, writeWhole } from './exportCommand';

const dir = mkdtempSync(join(tmpdir(), 'rlm-export-write-'));

describe('writeWhole', () => {
  it('puts the whole file in place, streamed past the stream buffer', async () => {
    const target = join(dir, 'big.txt');
    const chunk = 'x'.repeat(100_000);
    const bytes = await writeWhole(target, async (out) => {
      for (let i = 0; i < 50; i++) await writeChunk(out, chunk);
    });
    expect(bytes).toBe(5_000_000);
    expect(readFileSync(target, 'utf8').length).toBe(5_000_000);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves the old file whole and no temp file when the exporter fails half way', async () => {
    const target = join(dir, 'kept.txt');
    writeFileSync(target, 'old');
    await expect(
      writeWhole(target, async (out) => {
        await writeChunk(out, 'y'.repeat(1_000_000));
        throw new Error('exporter broke');
      }),
    ).rejects.toThrow('exporter broke');
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(join(dir, 'nothing.txt'))).toBe(false);
  });
});

describe('otlpHeader', () => {
  it('takes KEY=VALUE, the value with its own = signs', () => {
    expect(otlpHeader('Authorization=Basic cGs6c2s=')).toEqual(['Authorization=Basic cGs6c2s=']);
  });

  it('refuses a line break (a second header smuggled in) and a name that is no header name, at once', () => {
    expect(() => otlpHeader('X=a\r\nB: c')).toThrow('a header may not hold a line break');
    expect(() => otlpHeader('X Y=a')).toThrow('the header name may hold only letters, digits and');
    expect(() => otlpHeader('X:=a')).toThrow('the header name may hold only letters, digits and');
  });
});
