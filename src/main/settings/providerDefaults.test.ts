import { describe, expect, it } from 'vitest';
import { providerSettingsFromEnv } from './providerDefaults';

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
