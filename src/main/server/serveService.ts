// The RlmService behind `rlmscope serve`: the same service objects as the CLI and the desktop
// app. The provider and models are what the Settings screen saved in the data folder (the key in
// a file only the user can read), with the environment (OPENAI_BASE_URL, OPENAI_API_KEY) as the
// first defaults. The settings live in the folder of the database, where `rlmscope run` reads them.
import { dirname, resolve } from 'node:path';
import { createForkLauncher } from '../sandbox/host/forkLauncher';
import { RlmService } from '../service/rlmService';
import { openNodeSettings } from '../settings/nodeSettings';
import { providerSettingsFromEnv } from '../settings/providerDefaults';

export interface ServeServiceOptions {
  dbPath: string;
  /** Where the provider variables are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Told about a settings file that could not be used (it is set aside, defaults apply). */
  onWarning?: (message: string) => void;
}

export function createServeService(options: ServeServiceOptions): RlmService {
  const env = options.env ?? process.env;
  const defaults = providerSettingsFromEnv(env);
  return RlmService.open({
    dbPath: options.dbPath,
    ...defaults,
    // Beside the database, as `rlmscope run --db` reads them: one data folder, one set of settings.
    settings: openNodeSettings(dirname(resolve(options.dbPath)), defaults, options.onWarning),
    mode: 'browser',
    launcher: createForkLauncher(),
  });
}
