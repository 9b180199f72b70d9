// The provider settings every entry point starts from (the command line, browser mode, the
// desktop app): the environment, then the built-in defaults. A settings store's saved choices and
// stored key win over these.
export interface ProviderSettings {
  baseUrl: string;
  apiKey: string | undefined;
  rootModel: string;
  subModel: string;
}

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_ROOT_MODEL = 'gpt-5';
export const DEFAULT_SUB_MODEL = 'gpt-5-mini';

/** Provider settings from the environment, as the `rlmscope` command reads them. */
export function providerSettingsFromEnv(env: NodeJS.ProcessEnv): ProviderSettings {
  const read = (name: string) => env[name]?.trim() || undefined;
  return {
    baseUrl: read('OPENAI_BASE_URL') ?? DEFAULT_BASE_URL,
    apiKey: read('OPENAI_API_KEY'),
    rootModel: read('RLMSCOPE_ROOT_MODEL') ?? DEFAULT_ROOT_MODEL,
    subModel: read('RLMSCOPE_SUB_MODEL') ?? DEFAULT_SUB_MODEL,
  };
}
