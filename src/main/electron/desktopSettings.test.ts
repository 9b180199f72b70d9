// The desktop app's settings as main.ts opens them, with a stand-in for Electron (app.getPath and
// safeStorage): settings.json in the data folder, the key encrypted in the user data folder, and
// the key used by runs but never shown to the page.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({ userData: '', encryptionAvailable: true }));

vi.mock('electron', () => ({
  app: { getPath: (name: string) => (name === 'userData' ? electron.userData : '') },
  safeStorage: {
    isEncryptionAvailable: () => electron.encryptionAvailable,
    encryptString: (text: string) => Buffer.from(`enc:${Buffer.from(text).toString('hex')}`),
    decryptString: (data: Buffer) => Buffer.from(data.toString().slice(4), 'hex').toString(),
    getSelectedStorageBackend: () => 'gnome_libsecret',
  },
}));

const { openDesktopSettings } = await import('./desktopSettings');

const KEY = 'sk-desktop-0123456789';
let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rlmscope-desktop-settings-'));
  electron.userData = join(home, 'desktop');
  electron.encryptionAvailable = true;
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('openDesktopSettings', () => {
  it('takes the environment as defaults until the user chooses', () => {
    const settings = openDesktopSettings({ RLMSCOPE_HOME: home, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: 'sk-env' });
    expect(settings.get()).toMatchObject({ baseUrl: 'http://127.0.0.1:9/v1', apiKeyStored: false, apiKeySource: 'environment' });
    expect(settings.resolved().apiKey).toBe('sk-env');
  });

  it('keeps the stored key encrypted in the user data folder, uses it for runs, and never shows it', () => {
    const env = { RLMSCOPE_HOME: home, OPENAI_API_KEY: 'sk-env' };
    const settings = openDesktopSettings(env);
    const shown = settings.update({ apiKey: KEY, rootModel: 'gpt-5.1' });
    expect(shown).toMatchObject({ apiKeyStored: true, apiKeySource: 'stored', rootModel: 'gpt-5.1' });
    expect(JSON.stringify(shown)).not.toContain(KEY);

    const keyFile = join(home, 'desktop', 'api-key.enc');
    expect(readFileSync(keyFile, 'utf8')).not.toContain(KEY);
    // The other settings sit beside the database, and hold no key.
    expect(readFileSync(join(home, 'settings.json'), 'utf8')).not.toContain(KEY);

    // The next start of the app reads both back.
    const reopened = openDesktopSettings(env);
    expect(reopened.resolved()).toMatchObject({ apiKey: KEY, rootModel: 'gpt-5.1' });
    reopened.update({ apiKey: null });
    expect(existsSync(keyFile)).toBe(false);
    expect(reopened.resolved().apiKey).toBe('sk-env');
  });

  it('refuses to store the key without OS encryption, and changes nothing else', () => {
    electron.encryptionAvailable = false;
    const settings = openDesktopSettings({ RLMSCOPE_HOME: home });
    expect(() => settings.update({ apiKey: KEY, rootModel: 'other' })).toThrow(/OPENAI_API_KEY/);
    expect(settings.get()).toMatchObject({ apiKeyStored: false, rootModel: 'gpt-5' });
    expect(existsSync(join(home, 'desktop', 'api-key.enc'))).toBe(false);
  });
});
