// The desktop app's SecretStore: the API key encrypted with Electron's safeStorage, in a file in
// the user data folder. The policy and the file handling are in encryptedSecretFile.ts (tested);
// this only hands it safeStorage. Create it after the app is ready: before 'ready', safeStorage
// reports no encryption on Linux and Windows.
import { join } from 'node:path';
import { safeStorage } from 'electron';
import type { SecretStore } from '../settings/secretStore';
import { createEncryptedSecretFile } from './encryptedSecretFile';

/** The encrypted key's file name in the user data folder. */
export const API_KEY_FILE = 'api-key.enc';

export function createSafeStorageSecrets(userDataDir: string): SecretStore {
  return createEncryptedSecretFile({
    file: join(userDataDir, API_KEY_FILE),
    platform: process.platform,
    cipher: {
      isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
      encryptString: (plainText) => safeStorage.encryptString(plainText),
      decryptString: (encrypted) => safeStorage.decryptString(encrypted),
      storageBackend: () => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null),
    },
  });
}
