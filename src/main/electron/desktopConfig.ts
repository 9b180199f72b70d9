// Where the desktop shell finds its parts, and its provider settings. No electron import.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ProviderSettings {
  baseUrl: string;
  apiKey: string | undefined;
  rootModel: string;
  subModel: string;
}

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_ROOT_MODEL = 'gpt-5';
export const DEFAULT_SUB_MODEL = 'gpt-5-mini';

/**
 * Provider settings from the environment, as the `rlmscope` command reads them. The desktop
 * settings store (the key kept with safeStorage, models and prices chosen in the app) comes with
 * the inspector issue and will take precedence over these.
 */
export function providerSettingsFromEnv(env: NodeJS.ProcessEnv): ProviderSettings {
  const read = (name: string) => env[name]?.trim() || undefined;
  return {
    baseUrl: read('OPENAI_BASE_URL') ?? DEFAULT_BASE_URL,
    apiKey: read('OPENAI_API_KEY'),
    rootModel: read('RLMSCOPE_ROOT_MODEL') ?? DEFAULT_ROOT_MODEL,
    subModel: read('RLMSCOPE_SUB_MODEL') ?? DEFAULT_SUB_MODEL,
  };
}

/** better-sqlite3 built for Electron's ABI by scripts/electron-native.mjs. */
export function nativeBindingPath(appPath: string): string {
  return join(appPath, 'native', 'electron', 'better_sqlite3.node');
}

/**
 * The built files, found from the directory of the bundled main script (out/main/electron.js).
 * The sandbox script is named here rather than found by harnessPath(): bundled into a shared
 * chunk, that function looks beside out/main/chunks/ and falls back to searching for the source
 * tree, which a packaged app does not have.
 */
export function builtPaths(mainDir: string): { preload: string; indexHtml: string; indexFileUrl: string; sandbox: string } {
  const indexHtml = join(mainDir, '..', 'renderer', 'index.html');
  return {
    preload: join(mainDir, '..', 'preload', 'index.js'),
    indexHtml,
    indexFileUrl: pathToFileURL(indexHtml).href,
    sandbox: join(mainDir, 'sandbox.js'),
  };
}
