// The safeStorage-backed key store under plain Node: a real file in a temp folder, and a stand-in
// for Electron's safeStorage (the one part that needs the Electron binary).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RlmError } from '../../shared/errors';
import { createEncryptedSecretFile, describeProtection, type StringCipher } from './encryptedSecretFile';

const KEY = 'sk-test-1234567890abcdef';
const posix = process.platform !== 'win32';

/**
 * A reversible cipher whose output never contains the plain text, with a version prefix as
 * Chromium's has; decryption of anything it did not produce fails, as safeStorage's does.
 */
class FakeCipher implements StringCipher {
  available = true;
  backend: string | null = 'gnome_libsecret';
  failEncrypt = false;
  isEncryptionAvailable(): boolean {
    return this.available;
  }
  encryptString(plainText: string): Buffer {
    if (this.failEncrypt) throw new Error('Error while encrypting the text provided to safeStorage.encryptString.');
    return Buffer.concat([Buffer.from('v11'), Buffer.from(plainText, 'utf8').map((b) => b ^ 0x5a)]);
  }
  decryptString(encrypted: Buffer): string {
    if (encrypted.subarray(0, 3).toString() !== 'v11') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(encrypted.subarray(3).map((b) => b ^ 0x5a)).toString('utf8');
  }
  storageBackend(): string | null {
    return this.backend;
  }
}

let dir: string;
let cipher: FakeCipher;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rlmscope-secrets-'));
  cipher = new FakeCipher();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function store(file = join(dir, 'api-key.enc'), platform: NodeJS.Platform = 'linux') {
  return createEncryptedSecretFile({ file, cipher, platform });
}

function thrown(action: () => void): RlmError {
  try {
    action();
  } catch (error) {
    return error as RlmError;
  }
  throw new Error('expected an error');
}

describe('encrypted secret file', () => {
  it('has no key until one is stored, then reads it back', () => {
    const secrets = store();
    expect(secrets.read()).toBeNull();
    secrets.write(KEY);
    expect(secrets.read()).toBe(KEY);
    // Another instance over the same file (the next start of the app) reads it too.
    expect(store().read()).toBe(KEY);
  });

  it('never writes the key in plain text, and keeps the file to its owner', () => {
    const file = join(dir, 'nested', 'user-data', 'api-key.enc');
    store(file).write(KEY);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(Buffer.from(KEY).toString('base64').slice(0, 12));
    expect(JSON.parse(text)).toEqual({ version: 1, encrypted: expect.any(String) });
    if (posix) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'nested', 'user-data')).mode & 0o077).toBe(0);
    }
  });

  it('replaces a stored key whole, leaving no temporary file behind', () => {
    const secrets = store();
    secrets.write(KEY);
    secrets.write('sk-second');
    expect(secrets.read()).toBe('sk-second');
    expect(readdirSync(dir)).toEqual(['api-key.enc']);
  });

  it('tightens the mode of a key file that was readable by others', () => {
    if (!posix) return;
    const file = join(dir, 'api-key.enc');
    writeFileSync(file, 'old', { mode: 0o644 });
    store(file).write(KEY);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('forgets the key on null, and forgetting twice is fine', () => {
    const secrets = store();
    secrets.write(KEY);
    secrets.write(null);
    expect(secrets.read()).toBeNull();
    expect(existsSync(join(dir, 'api-key.enc'))).toBe(false);
    secrets.write(null);
  });

  it('refuses to store a key when the OS offers no encryption, rather than store it in plain text', () => {
    cipher.available = false;
    const secrets = store();
    const error = thrown(() => secrets.write(KEY));
    expect(error).toBeInstanceOf(RlmError);
    expect(error.code).toBe('STORE_FAILED');
    expect(error.message).toMatch(/no keyring/);
    expect(error.message).toMatch(/OPENAI_API_KEY/);
    expect(error.message).not.toContain(KEY);
    expect(readdirSync(dir)).toEqual([]);
    expect(secrets.description).toMatch(/^Cannot be stored: .*OPENAI_API_KEY only/);
  });

  it('keeps the old key when encryption fails, and never echoes the key', () => {
    const secrets = store();
    secrets.write(KEY);
    cipher.failEncrypt = true;
    const error = thrown(() => secrets.write('sk-new-key'));
    expect(error.code).toBe('STORE_FAILED');
    expect(error.message).not.toContain('sk-new-key');
    expect(secrets.read()).toBe(KEY);
  });

  it('refuses an empty key (forgetting is write(null))', () => {
    expect(thrown(() => store().write('   ')).code).toBe('INVALID_INPUT');
  });

  it('fails to read, without the key in the message, a file it cannot decrypt; the file stays', () => {
    const file = join(dir, 'api-key.enc');
    // Well-formed, but encrypted by someone else (another machine's keyring).
    writeFileSync(file, JSON.stringify({ version: 1, encrypted: Buffer.from('v10-other-machine').toString('base64') }));
    const error = thrown(() => store().read());
    expect(error.code).toBe('STORE_FAILED');
    expect(error.message).toMatch(/cannot be decrypted.*save the key again/);
    expect(existsSync(file)).toBe(true);
    // Saving a key replaces it.
    store().write(KEY);
    expect(store().read()).toBe(KEY);
  });

  it('does not take a foreign or damaged file for a key file', () => {
    const file = join(dir, 'api-key.enc');
    for (const content of [`${KEY}\n`, '{"apiKey":"sk-plain"}', '{"version":1,"encrypted":"not base64!"}', '']) {
      writeFileSync(file, content);
      const error = thrown(() => store().read());
      expect(error.code, content).toBe('STORE_FAILED');
      expect(error.message, content).toMatch(/not an RLMScope key file/);
      expect(error.message).not.toContain(KEY);
    }
  });

  it('cannot read the key while the keyring is unavailable, and reads it again once it is back', () => {
    const secrets = store();
    secrets.write(KEY);
    cipher.available = false;
    expect(thrown(() => secrets.read()).message).toMatch(/cannot be decrypted now: no keyring/);
    cipher.available = true;
    expect(secrets.read()).toBe(KEY);
  });

  it('reports a key file it cannot read (a folder in its place)', () => {
    mkdirSync(join(dir, 'api-key.enc'));
    expect(thrown(() => store().read()).message).toMatch(/cannot be read/);
  });
});

describe('describeProtection', () => {
  it('names how each system protects the key', () => {
    expect(describeProtection('darwin', cipher)).toMatch(/macOS Keychain/);
    expect(describeProtection('win32', cipher)).toMatch(/DPAPI/);
    expect(describeProtection('linux', cipher)).toMatch(/GNOME Keyring/);
    cipher.backend = 'kwallet6';
    expect(describeProtection('linux', cipher)).toMatch(/KDE Wallet/);
  });

  it("says plainly that Linux's basic_text backend is weak protection", () => {
    cipher.backend = 'basic_text';
    const description = store().description;
    expect(description).toMatch(/^Weak protection/);
    expect(description).toMatch(/anyone who can read your files can read the key/);
  });
});
