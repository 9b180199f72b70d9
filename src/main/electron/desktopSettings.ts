// The desktop app's settings: settings.json in the data folder (RLMSCOPE_HOME or ~/.rlmscope,
// shared with `rlmscope serve` and the command line), the API key encrypted with safeStorage in
// Electron's user data folder. Open it after the app is ready (safeStorage needs 'ready').
import { app } from 'electron';
import { dataHome } from '../paths';
import { SettingsFile } from '../settings/settingsFile';
import { providerSettingsFromEnv } from '../settings/providerDefaults';
import { createSafeStorageSecrets } from './safeStorageSecrets';

export function openDesktopSettings(env: NodeJS.ProcessEnv = process.env): SettingsFile {
  return SettingsFile.open({
    dir: dataHome(env),
    secrets: createSafeStorageSecrets(app.getPath('userData')),
    // What applies where the user has chosen nothing, the environment's key included.
    defaults: providerSettingsFromEnv(env),
    onWarning: (message) => console.warn(`rlmscope: ${message}`),
  });
}
