// The settings of browser mode (`rlmscope serve`): settings.json and the key file side by side
// in the data folder. The desktop app opens SettingsFile itself with its safeStorage secrets.
import { join } from 'node:path';
import { fileSecrets } from './fileSecrets';
import { SettingsFile, type SettingsDefaults } from './settingsFile';

export const SECRETS_FILE = 'secrets.json';

export function openNodeSettings(dataDir: string, defaults: SettingsDefaults, onWarning?: (message: string) => void, readOnly = false): SettingsFile {
  return SettingsFile.open({
    dir: dataDir,
    secrets: fileSecrets(join(dataDir, SECRETS_FILE)),
    defaults,
    readOnly,
    ...(onWarning ? { onWarning } : {}),
  });
}
