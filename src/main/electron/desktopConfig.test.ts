import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtPaths, nativeBindingPath, providerSettingsFromEnv } from './desktopConfig';

describe('providerSettingsFromEnv', () => {
  it('reads the OpenAI variables, with the defaults of the command line', () => {
    expect(providerSettingsFromEnv({})).toEqual({
      baseUrl: 'https://api.openai.com/v1',
      apiKey: undefined,
      rootModel: 'gpt-5',
      subModel: 'gpt-5-mini',
    });
    expect(
      providerSettingsFromEnv({ OPENAI_BASE_URL: 'http://localhost:11434/v1', OPENAI_API_KEY: 'k', RLMSCOPE_ROOT_MODEL: 'qwen3', RLMSCOPE_SUB_MODEL: 'qwen3:4b' }),
    ).toEqual({ baseUrl: 'http://localhost:11434/v1', apiKey: 'k', rootModel: 'qwen3', subModel: 'qwen3:4b' });
  });

  it('treats empty variables as unset', () => {
    expect(providerSettingsFromEnv({ OPENAI_BASE_URL: '', OPENAI_API_KEY: '  ' })).toMatchObject({ baseUrl: 'https://api.openai.com/v1', apiKey: undefined });
  });
});

describe('paths', () => {
  it('finds the Electron build of better-sqlite3 under the app', () => {
    expect(nativeBindingPath('/app')).toBe(join('/app', 'native', 'electron', 'better_sqlite3.node'));
  });

  it('finds the preload, the page and the sandbox script from the bundled main script', () => {
    const paths = builtPaths(join('/app', 'out', 'main'));
    expect(paths.preload).toBe(join('/app', 'out', 'preload', 'index.js'));
    expect(paths.sandbox).toBe(join('/app', 'out', 'main', 'sandbox.js'));
    expect(paths.indexHtml).toBe(join('/app', 'out', 'renderer', 'index.html'));
    expect(paths.indexFileUrl).toBe(pathToFileURL(join('/app', 'out', 'renderer', 'index.html')).href);
  });
});
