// Where the desktop shell finds its parts. No electron import.
import { join } from 'node:path';

/** better-sqlite3 built for Electron's ABI by scripts/electron-native.mjs. */
export function nativeBindingPath(appPath: string): string {
  return join(appPath, 'native', 'electron', 'better_sqlite3.node');
}

/**
 * The built files, found from the directory of the bundled main script (out/main/electron.js).
 * The sandbox script is named here rather than found by harnessPath(): bundled into a shared
 * chunk, that function looks beside out/main/chunks/ and falls back to searching for the source
 * tree, which a packaged app does not have. The page is served from `rendererDir` by the app
 * scheme (appProtocol.ts), never loaded as a file.
 */
export function builtPaths(mainDir: string): { preload: string; rendererDir: string; sandbox: string } {
  return {
    preload: join(mainDir, '..', 'preload', 'index.js'),
    rendererDir: join(mainDir, '..', 'renderer'),
    sandbox: join(mainDir, 'sandbox.js'),
  };
}

/**
 * Electron's user data folder (its profile, the single-instance lock, window-state.json and the
 * encrypted key) when RLMSCOPE_HOME is set: inside it, so that an instance with its own data
 * folder (a test, a second profile) shares nothing with the user's app and is not taken for a
 * second instance of it. Undefined: Electron's default (~/.config/RLMScope and the like).
 */
export function userDataDir(env: NodeJS.ProcessEnv): string | undefined {
  const home = env.RLMSCOPE_HOME?.trim();
  return home ? join(home, 'desktop') : undefined;
}
