// The settings of browser mode (`rlmscope serve`): settings.json and the key file side by side
// in the data folder. The desktop app opens SettingsStore itself with its safeStorage secrets.
import { join } from 'node:path';
import { fileSecrets } from './fileSecrets';
import { SettingsStore, type SettingsDefaults } from './settingsStore';

export const SECRETS_FILE = 'secrets.json';

export function openNodeSettings(dataDir: string, defaults: SettingsDefaults, onWarning?: (message: string) => void, readOnly = false): SettingsStore {
  return SettingsStore.open({
    dir: dataDir,
    secrets: fileSecrets(join(dataDir, SECRETS_FILE)),
    defaults,
    readOnly,
    ...(onWarning ? { onWarning } : {}),
  });
}
