import { beforeEach, describe, expect, it } from 'vitest';
import type { RlmApi } from '../../shared/api';
import { type AppSettings } from '../../shared/domain/settings';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { editField, loadSettings, saveSettings, testConnection, useSettings } from './settingsStore';

const initial: AppSettings = {
  baseUrl: 'https://api.openai.com/v1',
  apiKeyStored: false,
  apiKeySource: 'none',
  rootModel: 'gpt-5',
  subModel: 'gpt-5-mini',
  dedupeSubcalls: false,
  limits: DEFAULT_LIMITS,
  prices: {},
  defaultPrices: {},
};

/** A settings service in memory; the key is kept apart and never returned. */
function fakeSettingsService() {
  let settings = { ...initial };
  let key: string | null = null;
  const calls: Array<[string, unknown]> = [];
  const api: RlmApi = {
    call: (async (method: string, params: Record<string, unknown>) => {
      calls.push([method, params]);
      if (method === 'settings.get') return settings;
      if (method === 'settings.update') {
        const { apiKey, ...rest } = params;
        if (apiKey !== undefined) key = apiKey as string | null;
        settings = { ...settings, ...(rest as Partial<AppSettings>), apiKeyStored: key !== null, apiKeySource: key !== null ? 'stored' : 'none' };
        return settings;
      }
      if (method === 'settings.testConnection') return { ok: true, message: 'fine', latencyMs: 12, models: ['gpt-5'] };
      throw new Error(`unexpected ${method}`);
    }) as RlmApi['call'],
    subscribe: () => () => undefined,
  };
  return { api, calls };
}

describe('the settings form', () => {
  beforeEach(() => useSettings.setState({ saved: null, draft: null, dirty: false, savedAt: null, saveError: null, report: null }));

  it('keeps unsaved edits when the screen is opened again', async () => {
    const { api } = fakeSettingsService();
    await loadSettings(api);
    editField('rootModel', 'o3');
    expect(useSettings.getState().dirty).toBe(true);
    await loadSettings(api);
    expect(useSettings.getState().draft?.rootModel).toBe('o3');
  });

  it('saves the form, the typed key with it, and then shows it saved with an empty key field', async () => {
    const { api, calls } = fakeSettingsService();
    await loadSettings(api);
    editField('apiKey', 'sk-secret');
    editField('subModel', 'gpt-5-nano');
    await saveSettings(api);
    expect(calls.at(-1)?.[1]).toMatchObject({ apiKey: 'sk-secret', subModel: 'gpt-5-nano' });
    const state = useSettings.getState();
    expect(state).toMatchObject({ dirty: false, saveError: null });
    expect(state.savedAt).not.toBeNull();
    expect(state.draft?.apiKey).toBe('');
    expect(state.saved?.apiKeyStored).toBe(true);
  });

  it('sends nothing while a field is wrong', async () => {
    const { api, calls } = fakeSettingsService();
    await loadSettings(api);
    editField('baseUrl', 'not a url');
    await saveSettings(api);
    expect(calls.map(([m]) => m)).toEqual(['settings.get']);
    expect(useSettings.getState().errors.baseUrl).toBe('must be an http:// or https:// URL');
  });

  it('tests the values in the form, not the saved ones', async () => {
    const { api, calls } = fakeSettingsService();
    await loadSettings(api);
    editField('baseUrl', 'http://127.0.0.1:9/v1');
    await testConnection(api);
    expect(calls.at(-1)).toEqual(['settings.testConnection', { baseUrl: 'http://127.0.0.1:9/v1', model: 'gpt-5' }]);
    expect(useSettings.getState().report?.ok).toBe(true);
  });
});
