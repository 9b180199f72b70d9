import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tempFolder } from '../testing/tempDatabase';
import { fileSecrets } from './fileSecrets';

const isPosix = process.platform !== 'win32';

describe('fileSecrets', () => {
  it('has nothing stored at first, then keeps the key across instances', () => {
    const file = join(tempFolder(), 'secrets.json');
    expect(fileSecrets(file).read()).toBeNull();
    fileSecrets(file).write('sk-first');
    fileSecrets(file).write('sk-second');
    expect(fileSecrets(file).read()).toBe('sk-second');
    expect(fileSecrets(file).description).toContain(file);
  });

  it.runIf(isPosix)('creates the file readable by the user only, even under a permissive umask', () => {
    const dir = join(tempFolder(), 'fresh');
    const file = join(dir, 'secrets.json');
    const previous = process.umask(0);
    onTestFinished(() => void process.umask(previous));
    fileSecrets(file).write('sk-private');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    // Written through a temp file that was renamed: nothing is left beside it.
    expect(readdirSync(dir)).toEqual(['secrets.json']);
  });

  it('forgets the key: the file is gone', () => {
    const file = join(tempFolder(), 'secrets.json');
    const secrets = fileSecrets(file);
    secrets.write('sk-gone');
    secrets.write(null);
    expect(existsSync(file)).toBe(false);
    expect(secrets.read()).toBeNull();
    secrets.write(null);
  });

  it('refuses a file that is not a key file without quoting its content', () => {
    const file = join(tempFolder(), 'secrets.json');
    writeFileSync(file, 'sk-pasted-by-hand', { mode: 0o600 });
    expect(() => fileSecrets(file).read()).toThrow(expect.objectContaining({ code: 'STORE_FAILED' }));
    expect(() => fileSecrets(file).read()).not.toThrow(/sk-pasted-by-hand/);
  });
});
