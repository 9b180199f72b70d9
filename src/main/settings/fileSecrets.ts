// The API key under plain Node (browser mode): a JSON file only the user can read. There is no
// OS keychain to encrypt it with here; file permissions are the protection, as for ~/.netrc or
// the OpenAI CLI's own key file.
import { readFileSync, rmSync } from 'node:fs';
import { z } from 'zod';
import { RlmError } from '../../shared/errors';
import { writeFileAtomic } from './atomicFile';
import type { SecretStore } from './secretStore';

const secretFileSchema = z.object({ apiKey: z.string().min(1) });

/** A SecretStore kept in `file` (mode 0600, replaced atomically). */
export function fileSecrets(file: string): SecretStore {
  return {
    description: `a file only you can read (${file})`,

    read() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new RlmError('STORE_FAILED', `cannot read the stored API key from ${file}: ${reason(error)}`);
      }
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        raw = null;
      }
      const parsed = secretFileSchema.safeParse(raw);
      // SECURITY: the message names the file, never its content (which may be the key itself).
      if (!parsed.success) throw new RlmError('STORE_FAILED', `${file} is not an RLMScope key file; remove it or save a new key`);
      return parsed.data.apiKey;
    },

    write(secret) {
      try {
        if (secret === null) rmSync(file, { force: true });
        else writeFileAtomic(file, `${JSON.stringify({ apiKey: secret })}\n`, 0o600);
      } catch (error) {
        throw new RlmError('STORE_FAILED', `cannot store the API key in ${file}: ${reason(error)}`);
      }
    },
  };
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code ?? (error instanceof Error ? error.message : String(error));
}
