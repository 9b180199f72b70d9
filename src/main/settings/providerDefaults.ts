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

/** The environment variable behind each provider setting. */
export const PROVIDER_ENV = {
  baseUrl: 'OPENAI_BASE_URL',
  apiKey: 'OPENAI_API_KEY',
  rootModel: 'RLMSCOPE_ROOT_MODEL',
  subModel: 'RLMSCOPE_SUB_MODEL',
} as const satisfies Record<keyof ProviderSettings, string>;

/** Only the provider settings the environment sets (blank counts as unset). */
export function providerEnv(env: NodeJS.ProcessEnv): Partial<ProviderSettings> {
  const found: Partial<ProviderSettings> = {};
  for (const [field, name] of Object.entries(PROVIDER_ENV) as Array<[keyof ProviderSettings, string]>) {
    const value = env[name]?.trim();
    if (value) found[field] = value;
  }
  return found;
}

/** Provider settings from the environment, then the built-in defaults. */
export function providerSettingsFromEnv(env: NodeJS.ProcessEnv): ProviderSettings {
  const found = providerEnv(env);
  return {
    baseUrl: found.baseUrl ?? DEFAULT_BASE_URL,
    apiKey: found.apiKey,
    rootModel: found.rootModel ?? DEFAULT_ROOT_MODEL,
    subModel: found.subModel ?? DEFAULT_SUB_MODEL,
  };
}
