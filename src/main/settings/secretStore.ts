// Where the API key is kept. The desktop app keeps it encrypted with Electron's safeStorage
// (src/main/electron/safeStorageSecrets.ts); under plain Node (browser mode) it is a file only
// the user can read (fileSecrets.ts).
//
// SECURITY: the key is read by the main process only, for the model client. It is never
// returned over the RlmApi, never logged, never written into the database or an export, and
// never passed to a sandbox process.
export interface SecretStore {
  /** The stored key, or null when none is stored. */
  read(): string | null;
  /** Stores the key, replacing any stored one; null forgets it. */
  write(secret: string | null): void;
  /** How it is kept, for the settings page ("encrypted by the OS keychain", "a file only you can read"). */
  readonly description: string;
}
