// The app's settings: the provider, the models, the default limits of new runs and the user's
// price overrides, kept as JSON in settings.json; the API key kept apart in a SecretStore.
// Only what the user changed is stored: the rest follows the defaults the caller gives (from
// the environment), so a changed OPENAI_BASE_URL still applies to a setting never touched.
// The file is read at every use, not cached: the desktop app and `rlmscope serve` share it, and
// a change saved by one applies to the next run of the other (the file is a few hundred bytes).
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AppSettings } from '../../shared/domain/settings';
import type { RunLimits } from '../../shared/limits';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { RlmError } from '../../shared/errors';
import { modelPriceSchema, runLimitsSchema, settingsUpdateSchema } from '../../shared/schemas';
import { PriceTable } from '../model/prices';
import { writeFileAtomic } from './atomicFile';
import type { SecretStore } from './secretStore';

export const SETTINGS_FILE = 'settings.json';

/** What applies where the user has chosen nothing; the callers fill it from the environment. */
export interface SettingsDefaults {
  baseUrl: string;
  /** The environment's key (OPENAI_API_KEY); a stored key wins over it. */
  apiKey?: string | undefined;
  rootModel: string;
  subModel: string;
  limits?: Partial<RunLimits>;
}

/** What a new run uses. Holds the key: for the main process only, never for the RlmApi. */
export interface ResolvedSettings {
  baseUrl: string;
  apiKey: string | undefined;
  rootModel: string;
  subModel: string;
  limits: RunLimits;
  dedupeSubcalls: boolean;
  prices: PriceTable;
}

export type SettingsPatch = z.input<typeof settingsUpdateSchema>;

export interface SettingsFileOptions {
  /** The folder of settings.json. */
  dir: string;
  secrets: SecretStore;
  defaults: SettingsDefaults;
  /** Told about a settings file that could not be used, or a key that could not be read. */
  onWarning?: (message: string) => void;
  /**
   * Never writes (`rlmscope run` reads the page's settings, it does not own them): a bad file
   * is reported and left where it is, and update() is refused.
   */
  readOnly?: boolean;
}

/** What the user saved, field by field (absent: never chosen), and the stored key. */
export interface SavedSettings {
  baseUrl?: string;
  rootModel?: string;
  subModel?: string;
  limits?: Partial<RunLimits>;
  dedupeSubcalls?: boolean;
  prices?: Record<string, z.output<typeof modelPriceSchema>>;
  apiKey: string | null;
}

const FILE_VERSION = 1;

/** The file: every field optional, nothing else allowed (a foreign JSON file is not read as ours). */
const settingsFileSchema = z.strictObject({
  version: z.literal(FILE_VERSION),
  baseUrl: settingsUpdateSchema.shape.baseUrl,
  rootModel: settingsUpdateSchema.shape.rootModel,
  subModel: settingsUpdateSchema.shape.subModel,
  limits: runLimitsSchema.partial().optional(),
  dedupeSubcalls: z.boolean().optional(),
  prices: z.record(z.string().min(1), modelPriceSchema).optional(),
  /** The base URL the stored key was saved for (not a secret: the key itself is in the SecretStore). */
  apiKeyBaseUrl: z.string().min(1).max(2000).optional(),
});
type StoredSettings = Omit<z.output<typeof settingsFileSchema>, 'version'>;

export class SettingsFile {
  private readonly file: string;
  /** Each problem is reported once, not at every read of a file or key that stays broken. */
  private readonly reported = new Set<string>();
  /** The last load() found a settings file it could not use (unreadable or invalid). */
  private unusable = false;

  private constructor(private readonly options: SettingsFileOptions) {
    this.file = join(options.dir, SETTINGS_FILE);
  }

  /**
   * Settings kept in settings.json in `dir` (a missing file means nothing chosen yet). A bad
   * file is reported through onWarning and moved aside, here and at any later read: never thrown.
   */
  static open(options: SettingsFileOptions): SettingsFile {
    const store = new SettingsFile(options);
    // Read once now, so that a bad file is reported when the app starts, not at the first run.
    const stored = store.load();
    if (!options.readOnly) store.bindLegacyKey(stored);
    return store;
  }

  /** The settings as the UI sees them: never the key itself. */
  get(): AppSettings {
    const stored = this.load();
    const resolved = this.resolveFields(stored);
    const storedKey = this.storedKey();
    const usable = this.pickKey(stored, storedKey, resolved.baseUrl);
    return {
      baseUrl: resolved.baseUrl,
      apiKeyStored: storedKey !== null,
      apiKeySource: usable?.source ?? 'none',
      rootModel: resolved.rootModel,
      subModel: resolved.subModel,
      limits: resolved.limits,
      dedupeSubcalls: resolved.dedupeSubcalls,
      prices: stored.prices ?? {},
      defaultPrices: PriceTable.bundled(),
    };
  }

  /**
   * Applies a patch (validated here too: the desktop shell may call this directly) and saves it.
   * `apiKey`: a string stores it, null forgets it, absent keeps it. `limits` merge field by
   * field; `prices` replaces the whole override table.
   */
  update(patch: SettingsPatch): AppSettings {
    if (this.options.readOnly) throw new RlmError('INVALID_INPUT', `the settings in ${this.file} are read here, not changed`);
    const parsed = settingsUpdateSchema.safeParse(patch);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RlmError('INVALID_INPUT', `settings: ${issue?.path.join('.') || 'patch'}: ${issue?.message ?? 'invalid'}`);
    }
    const { apiKey, limits, ...fields } = parsed.data;
    const stored = this.bindLegacyKey(this.load());
    const next: StoredSettings = { ...stored, ...dropUndefined(fields) };
    if (limits) next.limits = { ...stored.limits, ...dropUndefined(limits) };
    // SECURITY: a stored key is bound to the base URL it was saved for. A new key is bound to
    // the base URL in effect after this patch; a new base URL without a new key forgets the
    // stored key, so that whoever can call settings.update (anything holding the page's token)
    // cannot point the provider elsewhere and have the key sent there. The user enters the key
    // again for the new address.
    const nextBaseUrl = this.resolveFields(next).baseUrl;
    let keyChange: string | null | undefined = apiKey;
    if (apiKey === undefined && stored.apiKeyBaseUrl !== undefined && !sameBaseUrl(stored.apiKeyBaseUrl, nextBaseUrl)) keyChange = null;
    if (keyChange === null) delete next.apiKeyBaseUrl;
    else if (keyChange !== undefined) next.apiKeyBaseUrl = nextBaseUrl;
    // The key first: if the keychain refuses it, nothing else has changed either.
    if (keyChange !== undefined) this.options.secrets.write(keyChange);
    this.save(next);
    return this.get();
  }

  /** What a new run uses, read afresh: a change applies to the next run without a restart. */
  resolved(): ResolvedSettings {
    const stored = this.load();
    const fields = this.resolveFields(stored);
    return {
      ...fields,
      apiKey: this.pickKey(stored, this.storedKey(), fields.baseUrl)?.key,
      prices: PriceTable.withDefaults(stored.prices ?? {}),
    };
  }

  /**
   * SECURITY: the key that may be sent to `baseUrl`, or undefined. The stored key goes only to
   * the base URL it was saved for, the environment's key only to the environment's base URL:
   * a connection test or a run aimed anywhere else gets no key.
   */
  keyFor(baseUrl: string): string | undefined {
    return this.pickKey(this.load(), this.storedKey(), baseUrl)?.key;
  }

  /**
   * Only what was saved, without the defaults: for a caller that ranks sources itself (the CLI).
   * `apiKeyBaseUrl` says where the stored key may be sent.
   */
  saved(): SavedSettings & { apiKeyBaseUrl?: string } {
    this.unusable = false;
    const stored = this.load();
    // SECURITY: the key belongs to the endpoint saved beside it. When the settings file cannot be
    // used, that endpoint is unknown, and the default one (api.openai.com) must not get the key.
    if (this.unusable) return { ...stored, apiKey: null };
    const apiKey = this.storedKey();
    return { ...stored, apiKey, ...(apiKey !== null ? { apiKeyBaseUrl: this.keyBinding(stored) } : {}) };
  }

  private pickKey(stored: StoredSettings, storedKey: string | null, baseUrl: string): { key: string; source: 'stored' | 'environment' } | undefined {
    if (storedKey !== null && sameBaseUrl(this.keyBinding(stored), baseUrl)) return { key: storedKey, source: 'stored' };
    const { apiKey, baseUrl: envBaseUrl } = this.options.defaults;
    if (apiKey && sameBaseUrl(envBaseUrl, baseUrl)) return { key: apiKey, source: 'environment' };
    return undefined;
  }

  /**
   * Where the stored key belongs. A key saved before keys were bound (no apiKeyBaseUrl in the
   * file) belongs to the base URL then in effect: the one it has been used with.
   */
  private keyBinding(stored: StoredSettings): string {
    return stored.apiKeyBaseUrl ?? this.resolveFields(stored).baseUrl;
  }

  /** Writes down the binding of a key saved before keys were bound, before anything can change the base URL. */
  private bindLegacyKey(stored: StoredSettings): StoredSettings {
    if (stored.apiKeyBaseUrl !== undefined || this.storedKey() === null) return stored;
    const bound = { ...stored, apiKeyBaseUrl: this.keyBinding(stored) };
    try {
      this.save(bound);
    } catch (error) {
      this.warn(message(error));
    }
    return bound;
  }

  private resolveFields(stored: StoredSettings): Omit<ResolvedSettings, 'apiKey' | 'prices'> {
    const { defaults } = this.options;
    return {
      baseUrl: stored.baseUrl ?? defaults.baseUrl,
      rootModel: stored.rootModel ?? defaults.rootModel,
      subModel: stored.subModel ?? defaults.subModel,
      limits: { ...DEFAULT_LIMITS, ...defaults.limits, ...stored.limits },
      dedupeSubcalls: stored.dedupeSubcalls ?? false,
    };
  }

  /**
   * A key that cannot be read (a damaged key file, a keychain that refuses) counts as none
   * stored: the settings page then shows no stored key, and the user can save a new one.
   */
  private storedKey(): string | null {
    try {
      return this.options.secrets.read();
    } catch (error) {
      this.warn(`the stored API key cannot be read (${this.options.secrets.description}): ${message(error)}`);
      return null;
    }
  }

  private load(): StoredSettings {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      this.warn(`cannot read ${this.file} (${message(error)}); using the default settings`);
      this.unusable = true;
      return {};
    }
    let raw: unknown;
    let problem: string;
    try {
      raw = JSON.parse(text);
      const parsed = settingsFileSchema.safeParse(raw);
      if (parsed.success) {
        const { version: _version, ...stored } = parsed.data;
        return stored;
      }
      const issue = parsed.error.issues[0];
      problem = `${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}`;
    } catch (error) {
      problem = `not JSON (${message(error)})`;
    }
    this.unusable = true;
    if (this.options.readOnly) {
      this.warn(`${this.file} is not a valid settings file (${problem}); the default settings apply, and the saved API key is not used`);
      return {};
    }
    // Kept aside, not deleted: it may be the user's hand edit, worth fixing rather than losing.
    const aside = `${this.file}.bad-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      renameSync(this.file, aside);
      this.warn(`${this.file} is not a valid settings file (${problem}); it was moved to ${aside} and the default settings apply`);
    } catch (error) {
      this.warn(`${this.file} is not a valid settings file (${problem}) and could not be moved aside (${message(error)}); the default settings apply`);
    }
    return {};
  }

  private save(stored: StoredSettings): void {
    try {
      writeFileAtomic(this.file, `${JSON.stringify({ version: FILE_VERSION, ...stored }, null, 2)}\n`, 0o600);
    } catch (error) {
      throw new RlmError('STORE_FAILED', `cannot save the settings to ${this.file}: ${message(error)}`);
    }
  }

  private warn(text: string): void {
    if (this.reported.has(text)) return;
    this.reported.add(text);
    (this.options.onWarning ?? ((line: string) => console.warn(`rlmscope: ${line}`)))(text);
  }
}

/** Two base URLs are the same when they parse to the same address (a trailing slash aside). */
export function sameBaseUrl(a: string, b: string): boolean {
  return normalizeBaseUrl(a) === normalizeBaseUrl(b);
}

function normalizeBaseUrl(url: string): string {
  let href: string;
  try {
    href = new URL(url.trim()).href;
  } catch {
    href = url.trim();
  }
  return href.replace(/\/+$/, '');
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
