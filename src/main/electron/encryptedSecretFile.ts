// The API key kept in one file, encrypted by the OS (Electron's safeStorage in the app; any
// StringCipher here, so that plain Node tests the policy and the file handling).
// safeStorageSecrets.ts hands it Electron's safeStorage.
//
// SECURITY: the key is never written in plain text. Where the OS offers no encryption, storing it
// is refused with an error the settings page shows, and the key comes from OPENAI_API_KEY only.
// No error message ever contains the key.
import { readFileSync, rmSync } from 'node:fs';
import { z } from 'zod';
import { RlmError } from '../../shared/errors';
import { writeFileAtomic } from '../settings/atomicFile';
import type { SecretStore } from '../settings/secretStore';

/** Electron's safeStorage, reduced to what the store uses. */
export interface StringCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux: safeStorage.getSelectedStorageBackend(); null on other systems. */
  storageBackend(): string | null;
}

export interface EncryptedSecretFileOptions {
  /** The encrypted key's file (in the app's user data folder). */
  file: string;
  cipher: StringCipher;
  platform: NodeJS.Platform;
}

const FILE_VERSION = 1;
/** The file: the ciphertext in base64, with a version, so a foreign or damaged file is recognised. */
const keyFileSchema = z.strictObject({ version: z.literal(FILE_VERSION), encrypted: z.base64().min(1) });

/**
 * A SecretStore in `file`, encrypted with `cipher`. `read` throws (STORE_FAILED) when a stored
 * key cannot be read back; SettingsFile reports that once and treats it as no key stored.
 */
export function createEncryptedSecretFile(options: EncryptedSecretFileOptions): SecretStore {
  const { file, cipher, platform } = options;

  return {
    read(): string | null {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new RlmError('STORE_FAILED', `the key file ${file} cannot be read: ${reason(error)}`);
      }
      const parsed = keyFileSchema.safeParse(parseJson(text));
      if (!parsed.success) throw new RlmError('STORE_FAILED', `${file} is not an RLMScope key file; save the key again to replace it`);
      if (!cipher.isEncryptionAvailable()) throw new RlmError('STORE_FAILED', `the key cannot be decrypted now: ${unavailableReason(platform)}`);
      try {
        return cipher.decryptString(Buffer.from(parsed.data.encrypted, 'base64'));
      } catch (error) {
        // Another user's or machine's file, or a keyring that was reset. The file stays, in case
        // the keyring comes back; saving a key replaces it.
        throw new RlmError('STORE_FAILED', `the key cannot be decrypted (${reason(error)}); save the key again`);
      }
    },

    write(secret: string | null): void {
      if (secret === null) {
        rmSync(file, { force: true });
        return;
      }
      if (secret.trim() === '') throw new RlmError('INVALID_INPUT', 'The API key is empty; to forget the stored key, remove it instead.');
      if (!cipher.isEncryptionAvailable()) {
        throw new RlmError(
          'STORE_FAILED',
          `The API key cannot be stored safely: ${unavailableReason(platform)}. RLMScope does not keep it in plain text; set OPENAI_API_KEY in the environment instead.`,
        );
      }
      let encrypted: Buffer;
      try {
        encrypted = cipher.encryptString(secret);
      } catch (error) {
        throw new RlmError('STORE_FAILED', `The API key could not be encrypted: ${reason(error)}`);
      }
      try {
        writeFileAtomic(file, `${JSON.stringify({ version: FILE_VERSION, encrypted: encrypted.toString('base64') })}\n`, 0o600);
      } catch (error) {
        throw new RlmError('STORE_FAILED', `The API key could not be saved to ${file}: ${reason(error)}`);
      }
    },

    get description(): string {
      return describeProtection(platform, cipher);
    },
  };
}

function unavailableReason(platform: NodeJS.Platform): string {
  if (platform === 'linux') return 'no keyring (GNOME Keyring, KWallet or another Secret Service) is available';
  if (platform === 'darwin') return 'the macOS Keychain is not available';
  return 'the system offers no encryption for it';
}

/** How the key is protected, in words for the settings page. */
export function describeProtection(platform: NodeJS.Platform, cipher: Pick<StringCipher, 'isEncryptionAvailable' | 'storageBackend'>): string {
  if (!cipher.isEncryptionAvailable()) return `Cannot be stored: ${unavailableReason(platform)}. The key comes from OPENAI_API_KEY only.`;
  if (platform === 'darwin') return 'Encrypted with a key kept in your macOS Keychain.';
  if (platform === 'win32') return 'Encrypted with Windows DPAPI: only your Windows account can decrypt it.';
  const backend = cipher.storageBackend();
  // Chromium's 'basic_text' backend encrypts with a password built into every copy of Chromium:
  // the file is obfuscated, not protected (https://www.electronjs.org/docs/latest/api/safe-storage).
  if (backend === 'basic_text') {
    return 'Weak protection: no keyring (GNOME Keyring or KWallet) was found, so the key is encrypted with a password built into Electron; anyone who can read your files can read the key.';
  }
  if (backend === 'gnome_libsecret') return 'Encrypted with a key kept in your keyring (GNOME Keyring / libsecret).';
  if (backend?.startsWith('kwallet')) return 'Encrypted with a key kept in KDE Wallet.';
  return `Encrypted with a key kept by your system keyring${backend ? ` (${backend})` : ''}.`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
