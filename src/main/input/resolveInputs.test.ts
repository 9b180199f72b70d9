import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RlmError } from '../../shared/errors';
import { binaryKind } from './binaryCheck';
import { resolveInputs } from './resolveInputs';

const dir = mkdtempSync(join(tmpdir(), 'rlm-inputs-'));
const text = join(dir, 'notes.txt');
writeFileSync(text, 'plain text\n');

describe('resolveInputs', () => {
  it('takes files and inline text; one input is a string, several an array', async () => {
    const one = await resolveInputs([{ kind: 'path', path: text }]);
    expect(one).toMatchObject({ asArray: false, totalBytes: 11, items: [{ name: 'notes.txt', path: text, bytes: 11 }], readablePaths: [text] });
    const two = await resolveInputs([{ kind: 'path', path: text }, { kind: 'text', name: 'pasted', text: 'héllo' }]);
    expect(two.asArray).toBe(true);
    expect(two.totalBytes).toBe(11 + 6);
  });

  it('reads a folder recursively, skipping hidden entries and binary files with a warning', async () => {
    const folder = join(dir, 'folder');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    mkdirSync(join(folder, '.git'));
    writeFileSync(join(folder, 'a.md'), '# a');
    writeFileSync(join(folder, 'sub', 'b.log'), 'b');
    writeFileSync(join(folder, '.git', 'HEAD'), 'ref');
    writeFileSync(join(folder, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0]));
    const resolved = await resolveInputs([{ kind: 'path', path: folder }]);
    expect(resolved.items.map((item) => item.name)).toEqual(['a.md', join('sub', 'b.log')]);
    expect(resolved.asArray).toBe(true);
    expect(resolved.readablePaths).toEqual([folder]);
    expect(resolved.warnings).toEqual(['skipped image.png: it looks like a PNG image']);
  });

  it('takes empty files, and warns only when the whole input is empty', async () => {
    const folder = join(dir, 'package');
    mkdirSync(folder);
    writeFileSync(join(folder, '__init__.py'), '');
    const empty = await resolveInputs([{ kind: 'path', path: folder }]);
    expect(empty.items).toEqual([expect.objectContaining({ name: '__init__.py', bytes: 0 })]);
    expect(empty.warnings).toEqual(['the input is empty: __init__.py has 0 bytes, so context holds only empty text']);
    const twoEmpty = await resolveInputs([{ kind: 'path', path: folder }, { kind: 'text', name: 'pasted', text: '' }]);
    expect(twoEmpty.warnings).toEqual(['the input is empty: its 2 files have 0 bytes, so context holds only empty text']);
    writeFileSync(join(folder, 'mod.py'), 'x = 1\n');
    const mixed = await resolveInputs([{ kind: 'path', path: folder }]);
    expect(mixed.items.map((item) => item.bytes)).toEqual([0, 6]);
    expect(mixed.warnings).toEqual([]);
  });

  it('refuses missing, binary and oversized inputs with a clear code', async () => {
    await expect(resolveInputs([{ kind: 'path', path: join(dir, 'missing.txt') }])).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringContaining('missing.txt') });
    const binary = join(dir, 'data.bin');
    writeFileSync(binary, Buffer.from([1, 2, 0, 4]));
    await expect(resolveInputs([{ kind: 'path', path: binary }])).rejects.toMatchObject({ code: 'BINARY_FILE', message: expect.stringContaining('NUL bytes') });
    await expect(resolveInputs([{ kind: 'path', path: text }], { memoryBytes: 30 })).rejects.toMatchObject({ code: 'INPUT_TOO_LARGE' });
  });

  it('takes an upload as a file under its own name, through the resolver it is given', async () => {
    const stored = join(dir, 'u-0123456789');
    writeFileSync(stored, 'uploaded text');
    const upload = (uploadId: string) => {
      if (uploadId !== 'u-0123456789') throw new RlmError('NOT_FOUND', `no upload ${uploadId}`);
      return { name: 'notes/dropped.md', path: stored, bytes: 13 };
    };
    const resolved = await resolveInputs([{ kind: 'upload', uploadId: 'u-0123456789' }], { upload });
    expect(resolved).toMatchObject({ asArray: false, totalBytes: 13, items: [{ name: 'notes/dropped.md', path: stored, bytes: 13 }], readablePaths: [stored] });
    await expect(resolveInputs([{ kind: 'upload', uploadId: 'u-missing000' }], { upload })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(resolveInputs([{ kind: 'upload', uploadId: 'u-0123456789' }])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it.runIf(process.getuid?.() !== 0)('refuses an unreadable file', async () => {
    const locked = join(dir, 'locked.txt');
    writeFileSync(locked, 'secret');
    chmodSync(locked, 0o000);
    await expect(resolveInputs([{ kind: 'path', path: locked }])).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
  });
});

describe('resolveInputs: what is not a plain UTF-8 file', () => {
  // Before, opening a named pipe waited for a writer forever: the short timeout makes a hang fail.
  it('refuses a named pipe at once, and skips one in a folder with a warning', { timeout: 5000 }, async () => {
    const pipes = join(dir, 'pipes');
    mkdirSync(pipes);
    const fifo = join(pipes, 'a.fifo');
    execFileSync('mkfifo', [fifo]);
    writeFileSync(join(pipes, 'b.txt'), 'text');
    await expect(resolveInputs([{ kind: 'path', path: fifo }])).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: `${fifo} is a named pipe, not a file; RLMScope reads files and folders`,
    });
    const folder = await resolveInputs([{ kind: 'path', path: pipes }]);
    expect(folder.items.map((item) => item.name)).toEqual(['b.txt']);
    expect(folder.warnings).toEqual(['skipped a.fifo: it is a named pipe, not a file']);
  });

  it('takes UTF-16 with a BOM (little and big endian) as text in that encoding', async () => {
    const le = join(dir, 'utf16le.txt');
    writeFileSync(le, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('héllo\n', 'utf16le')]));
    const be = join(dir, 'utf16be.txt');
    writeFileSync(be, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('héllo\n', 'utf16le').swap16()]));
    const resolved = await resolveInputs([{ kind: 'path', path: le }, { kind: 'path', path: be }]);
    expect(resolved.items).toEqual([
      expect.objectContaining({ name: 'utf16le.txt', encoding: 'utf-16le', bytes: 14 }),
      expect.objectContaining({ name: 'utf16be.txt', encoding: 'utf-16be', bytes: 14 }),
    ]);
    expect(resolved.warnings).toEqual([]);
  });

  it('reads Latin-1 (not UTF-8) as Windows-1252, and says so', async () => {
    const latin1 = join(dir, 'latin1.txt');
    writeFileSync(latin1, Buffer.from('café naïve résumé\n', 'latin1'));
    const resolved = await resolveInputs([{ kind: 'path', path: latin1 }]);
    expect(resolved.items).toEqual([expect.objectContaining({ name: 'latin1.txt', encoding: 'windows-1252' })]);
    expect(resolved.warnings).toEqual(['latin1.txt is not UTF-8: it was read as Windows-1252 (Latin-1); if its text looks wrong, save it as UTF-8']);
    // UTF-8 (with or without a BOM) carries no encoding.
    expect((await resolveInputs([{ kind: 'path', path: text }])).items[0]).not.toHaveProperty('encoding');
  });
});

describe('binaryKind', () => {
  it('knows common formats and passes text, including UTF-8 and escape codes', () => {
    expect(binaryKind(Buffer.from('%PDF-1.7\n'))).toBe('a PDF document');
    expect(binaryKind(Buffer.from('naïve café \x1b[31mred\x1b[0m\r\n\t'))).toBeNull();
    expect(binaryKind(Buffer.from([1, 2, 3, 4, 5, 65]))).toMatch(/control characters/);
    // UTF-16 is judged on its characters, not its (half NUL) bytes.
    expect(binaryKind(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('text', 'utf16le')]))).toBeNull();
    expect(binaryKind(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('te\0t', 'utf16le')]))).toMatch(/NUL characters/);
  });
});
