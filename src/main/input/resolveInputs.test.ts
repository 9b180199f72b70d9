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

describe('binaryKind', () => {
  it('knows common formats and passes text, including UTF-8 and escape codes', () => {
    expect(binaryKind(Buffer.from('%PDF-1.7\n'))).toBe('a PDF document');
    expect(binaryKind(Buffer.from('naïve café \x1b[31mred\x1b[0m\r\n\t'))).toBeNull();
    expect(binaryKind(Buffer.from([1, 2, 3, 4, 5, 65]))).toMatch(/control characters/);
  });
});
