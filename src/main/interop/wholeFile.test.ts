// Where writeWhole's rename lands (red team of issue 11): through a symbolic link to the file it
// names, never over a pipe or device, and never over the database through a link.
import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../testing/tempDatabase';
import { writeChunk } from './streamWrite';
import { isDatabaseFile, writeWhole } from './wholeFile';

const write = (text: string) => async (out: Parameters<Parameters<typeof writeWhole>[1]>[0]) => writeChunk(out, text);

describe('writeWhole', () => {
  it('writes through a symbolic link to the file it names, and keeps the link', async () => {
    const dir = tempFolder();
    writeFileSync(join(dir, 'real.txt'), 'old');
    symlinkSync('real.txt', join(dir, 'link.txt'));
    await writeWhole(join(dir, 'link.txt'), write('new'));
    expect(lstatSync(join(dir, 'link.txt')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'real.txt'), 'utf8')).toBe('new');
  });

  it.skipIf(process.platform === 'win32')('refuses a pipe (or a device such as /dev/stdout) in one line, and leaves it a pipe', async () => {
    const dir = tempFolder();
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    await expect(writeWhole(fifo, write('x'))).rejects.toThrow(`cannot write ${fifo}: it is not a regular file (a device, pipe or socket); name a file to write`);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });
});

describe('isDatabaseFile', () => {
  it('sees the database and its WAL through a symbolic link to the file or to its folder', () => {
    const dir = tempFolder();
    const db = join(dir, 'rlmscope.db');
    writeFileSync(db, '');
    writeFileSync(`${db}-wal`, '');
    symlinkSync(db, join(dir, 'export.rlmscope'));
    symlinkSync(dir, join(dir, 'same-folder'));
    expect(isDatabaseFile(db, join(dir, 'export.rlmscope'))).toBe(true);
    expect(isDatabaseFile(db, join(dir, 'same-folder', 'rlmscope.db-wal'))).toBe(true);
    expect(isDatabaseFile(db, join(dir, 'same-folder', 'rlmscope.db-shm'))).toBe(true);
    expect(isDatabaseFile(db, join(dir, 'other.rlmscope'))).toBe(false);
  });
});
