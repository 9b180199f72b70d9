import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { PriceTable } from '../model/prices';
import { tempFolder } from '../testing/tempDatabase';
import { openNodeSettings } from './nodeSettings';
import { SettingsFile, type SettingsDefaults } from './settingsFile';
import type { SecretStore } from './secretStore';

const defaults: SettingsDefaults = {
  baseUrl: 'https://env.example.com/v1',
  apiKey: 'sk-from-environment',
  rootModel: 'env-root',
  subModel: 'env-sub',
  limits: { maxIterations: 12 },
};

function open(dir = tempFolder(), overrides: Partial<SettingsDefaults> = {}) {
  const warnings: string[] = [];
  const store = openNodeSettings(dir, { ...defaults, ...overrides }, (line) => warnings.push(line));
  return { store, dir, warnings };
}

describe('SettingsFile', () => {
  it('keeps the "Deduplicate sub-calls" default: off until chosen, saved, read back, and refused when not a boolean', () => {
    const { store, dir } = open();
    expect(store.get().dedupeSubcalls).toBe(false);
    expect(store.resolved().dedupeSubcalls).toBe(false);
    expect(store.update({ dedupeSubcalls: true }).dedupeSubcalls).toBe(true);
    // Another patch leaves it as it was.
    store.update({ rootModel: 'other' });
    const reopened = open(dir).store;
    expect(reopened.get().dedupeSubcalls).toBe(true);
    expect(reopened.resolved().dedupeSubcalls).toBe(true);
    expect(reopened.saved().dedupeSubcalls).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toMatchObject({ dedupeSubcalls: true });
    expect(() => reopened.update({ dedupeSubcalls: 'yes' as unknown as boolean })).toThrow(/settings: dedupeSubcalls/);
    expect(reopened.update({ dedupeSubcalls: false }).dedupeSubcalls).toBe(false);
  });

  it('starts from the defaults it is given, without writing anything', () => {
    const { store, dir } = open();
    expect(store.get()).toMatchObject({
      baseUrl: 'https://env.example.com/v1',
      apiKeyStored: false,
      apiKeySource: 'environment',
      rootModel: 'env-root',
      subModel: 'env-sub',
      limits: { ...DEFAULT_LIMITS, maxIterations: 12 },
      prices: {},
    });
    expect(store.get().defaultPrices['gpt-5']).toEqual(PriceTable.withDefaults().lookup('gpt-5'));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('saves changes and reads them back in a new store; untouched fields still follow the defaults', () => {
    const { store, dir } = open();
    store.update({ baseUrl: 'http://127.0.0.1:11434/v1', rootModel: 'llama3', limits: { maxDepth: 2 } });
    store.update({ limits: { concurrency: 3 } });
    const reopened = open(dir, { subModel: 'changed-env-sub' }).store;
    expect(reopened.get()).toMatchObject({
      baseUrl: 'http://127.0.0.1:11434/v1',
      rootModel: 'llama3',
      subModel: 'changed-env-sub',
      limits: { ...DEFAULT_LIMITS, maxIterations: 12, maxDepth: 2, concurrency: 3 },
    });
  });

  it('sees a change saved by another process sharing the folder, and keeps it when saving its own', async () => {
    const { store, dir } = open();
    const other = open(dir).store;
    other.update({ rootModel: 'chosen-elsewhere' });
    expect(store.resolved().rootModel).toBe('chosen-elsewhere');
    store.update({ subModel: 'chosen-here' });
    expect(other.get()).toMatchObject({ rootModel: 'chosen-elsewhere', subModel: 'chosen-here' });
  });

  it('prefers a stored key to the environment, and the environment to none; never shows the key', () => {
    const { store, dir } = open();
    expect(store.resolved().apiKey).toBe('sk-from-environment');
    const saved = store.update({ apiKey: 'sk-stored-secret' });
    expect(saved).toMatchObject({ apiKeyStored: true, apiKeySource: 'stored' });
    expect(JSON.stringify(saved)).not.toContain('sk-stored-secret');
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).not.toContain('sk-stored-secret');
    expect(store.resolved().apiKey).toBe('sk-stored-secret');
    expect(open(dir).store.resolved().apiKey).toBe('sk-stored-secret');

    expect(store.update({ apiKey: null })).toMatchObject({ apiKeyStored: false, apiKeySource: 'environment' });
    expect(store.resolved().apiKey).toBe('sk-from-environment');
    const keyless = open(dir, { apiKey: undefined }).store;
    expect(keyless.get().apiKeySource).toBe('none');
    expect(keyless.resolved().apiKey).toBeUndefined();
  });

  it('applies price overrides on top of the bundled table; a new table replaces the old one', () => {
    const { store } = open();
    store.update({ prices: { 'gpt-5': { input: 1, output: 2 }, 'my-llama': { input: 0, output: 0 } } });
    expect(store.resolved().prices.lookup('gpt-5')).toEqual({ input: 1, output: 2 });
    expect(store.resolved().prices.lookup('gpt-4.1')).toEqual(PriceTable.withDefaults().lookup('gpt-4.1'));
    store.update({ prices: { 'my-llama': { input: 0.1, output: 0.2 } } });
    expect(store.get().prices).toEqual({ 'my-llama': { input: 0.1, output: 0.2 } });
    expect(store.resolved().prices.lookup('gpt-5')).toEqual(PriceTable.withDefaults().lookup('gpt-5'));
  });

  it('refuses an invalid patch and changes nothing', () => {
    const { store } = open();
    expect(() => store.update({ baseUrl: 'ftp://files.example.com' })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => store.update({ limits: { maxIterations: 0 } })).toThrow(/limits\.maxIterations/);
    expect(() => store.update({ rootModel: 'x', color: 'red' } as never)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(store.get().rootModel).toBe('env-root');
  });

  it.each([
    ['not JSON', '{"baseUrl": "http://a", '],
    ['foreign JSON', '{"theme": "dark", "fontSize": 14}'],
    ['a wrong value', '{"version": 1, "limits": {"maxIterations": -5}}'],
  ])('falls back to the defaults on %s, keeps the bad file aside and says so', (_label, content) => {
    const dir = tempFolder();
    writeFileSync(join(dir, 'settings.json'), content);
    const { store, warnings } = open(dir);
    expect(store.get()).toMatchObject({ baseUrl: defaults.baseUrl, limits: { maxIterations: 12 } });
    const aside = readdirSync(dir).filter((name) => name.startsWith('settings.json.bad-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0] as string), 'utf8')).toBe(content);
    expect(warnings).toEqual([expect.stringMatching(/settings\.json is not a valid settings file .*moved to .*settings\.json\.bad-/)]);
    // The next save starts a fresh, valid file.
    store.update({ rootModel: 'after-repair' });
    expect(open(dir).store.get().rootModel).toBe('after-repair');
  });

  it('gives what was saved alone, without the defaults, for a caller that ranks the sources itself', () => {
    const { store, dir } = open();
    expect(store.saved()).toEqual({ apiKey: null });
    store.update({ baseUrl: 'http://saved.example/v1', apiKey: 'sk-saved', limits: { maxCalls: 7 } });
    const reader = openNodeSettings(dir, defaults, undefined, true);
    // The key comes with the base URL it was saved for, where alone it may be sent (issue 9).
    expect(reader.saved()).toEqual({ baseUrl: 'http://saved.example/v1', apiKeyBaseUrl: 'http://saved.example/v1', limits: { maxCalls: 7 }, apiKey: 'sk-saved' });
  });

  it('binds a key saved before keys were bound to the base URL then in effect, before anything can move it', () => {
    const dir = tempFolder();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 1, baseUrl: 'http://old.example/v1' }));
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ apiKey: 'sk-legacy' }));
    const { store } = open(dir);
    expect(store.keyFor('http://old.example/v1/')).toBe('sk-legacy');
    expect(store.update({ baseUrl: 'http://attacker.example/v1' })).toMatchObject({ apiKeyStored: false, apiKeySource: 'none' });
    expect(store.keyFor('http://attacker.example/v1')).toBeUndefined();
    expect(store.resolved().apiKey).toBeUndefined();
  });

  it('read-only, reports a bad file but leaves it in place, and refuses to save', () => {
    const dir = tempFolder();
    writeFileSync(join(dir, 'settings.json'), '{not json');
    const warnings: string[] = [];
    const store = openNodeSettings(dir, defaults, (line) => warnings.push(line), true);
    expect(store.saved()).toEqual({ apiKey: null });
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect(warnings).toEqual([expect.stringMatching(/settings\.json is not a valid settings file \(not JSON.*\); the default settings apply, and the saved API key is not used$/)]);
    expect(() => store.update({ rootModel: 'x' })).toThrow(/read here, not changed/);
    expect(readdirSync(dir)).toEqual(['settings.json']);
  });

  it('read-only, gives no saved key when the file that names its endpoint is broken', () => {
    // Else the default endpoint (api.openai.com) would get a key saved for another provider.
    const dir = tempFolder();
    openNodeSettings(dir, defaults).update({ baseUrl: 'http://saved.example/v1', apiKey: 'sk-saved' });
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 1, baseUrl: 'http://saved.example/v1', limits: { maxCostUsd: -5 } }));
    expect(openNodeSettings(dir, defaults, () => {}, true).saved()).toEqual({ apiKey: null });
  });

  it('reports a key that cannot be read once, and treats it as none stored', () => {
    const warnings: string[] = [];
    const broken: SecretStore = {
      description: 'a keychain that is locked',
      read: () => {
        throw new Error('the keychain is locked');
      },
      write: () => undefined,
    };
    const store = SettingsFile.open({ dir: tempFolder(), secrets: broken, defaults, onWarning: (line) => warnings.push(line) });
    expect(store.get()).toMatchObject({ apiKeyStored: false, apiKeySource: 'environment' });
    expect(store.resolved().apiKey).toBe('sk-from-environment');
    expect(warnings).toEqual(['the stored API key cannot be read (a keychain that is locked): the keychain is locked']);
  });
});
