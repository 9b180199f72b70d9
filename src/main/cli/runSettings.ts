// What `rlmscope run` uses, and where each value came from: a flag, then the environment, then
// the settings saved in the page (settings.json and secrets.json in the data folder, which is
// the folder of the database), then the built-in defaults. Reading writes nothing: a run must not
// create or move aside the page's files (issue 8, §4).
import { dirname, resolve } from 'node:path';
import type { RunLimits } from '../../shared/limits';
import { RlmError } from '../../shared/errors';
import { PriceTable } from '../model/prices';
import { openNodeSettings, SECRETS_FILE } from '../settings/nodeSettings';
import { DEFAULT_BASE_URL, DEFAULT_ROOT_MODEL, DEFAULT_SUB_MODEL, PROVIDER_ENV, providerEnv } from '../settings/providerDefaults';
import { displayUrl } from '../settings/connectionCheck';
import { sameBaseUrl, type SavedSettings } from '../settings/settingsFile';
import { isHttpUrl } from './options';

export type SettingSource = 'flag' | 'env' | 'settings' | 'default';

export interface Sourced<T> {
  value: T;
  source: SettingSource;
}

export interface RunSettingFlags {
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
  rootModel?: string | undefined;
  subModel?: string | undefined;
  prices?: string | undefined;
}

export interface RunSettings {
  /** Where settings.json and secrets.json are read. */
  dataDir: string;
  baseUrl: Sourced<string>;
  /** undefined: no key anywhere (the source is then 'default'). */
  apiKey: Sourced<string | undefined>;
  rootModel: Sourced<string>;
  subModel: Sourced<string>;
  /** The saved default limits; the limit flags override them per field in runs.start. */
  limits: Partial<RunLimits>;
  /** The saved default of --dedupe-subcalls; the flags override it in runs.start. */
  dedupeSubcalls: boolean;
  prices: PriceTable;
}

/** The first of flag, environment, saved, default that is set. */
function pick<T>(flag: T | undefined, env: T | undefined, saved: T | undefined | null, fallback: T): Sourced<T> {
  if (flag !== undefined) return { value: flag, source: 'flag' };
  if (env !== undefined) return { value: env, source: 'env' };
  if (saved !== undefined && saved !== null) return { value: saved, source: 'settings' };
  return { value: fallback, source: 'default' };
}

export async function resolveRunSettings(flags: RunSettingFlags, env: NodeJS.ProcessEnv, dbPath: string, onWarning: (message: string) => void): Promise<RunSettings> {
  const dataDir = dirname(resolve(dbPath));
  const fromEnv = providerEnv(env);
  // Defaults are not used here (saved() returns only what was saved): the ranking is ours.
  const store = openNodeSettings(dataDir, { baseUrl: DEFAULT_BASE_URL, rootModel: DEFAULT_ROOT_MODEL, subModel: DEFAULT_SUB_MODEL }, onWarning, true);
  const saved = store.saved();
  const baseUrl = pick(flags.baseUrl, fromEnv.baseUrl, saved.baseUrl, DEFAULT_BASE_URL);
  const settings: RunSettings = {
    dataDir,
    baseUrl,
    apiKey: pick<string | undefined>(flags.apiKey || undefined, fromEnv.apiKey, flags.apiKey || fromEnv.apiKey ? null : savedKeyFor(saved, baseUrl.value, onWarning), undefined),
    rootModel: pick(flags.rootModel, fromEnv.rootModel, saved.rootModel, DEFAULT_ROOT_MODEL),
    subModel: pick(flags.subModel, fromEnv.subModel, saved.subModel, DEFAULT_SUB_MODEL),
    limits: saved.limits ?? {},
    dedupeSubcalls: saved.dedupeSubcalls ?? false,
    prices: await PriceTable.load(flags.prices, saved.prices ?? {}),
  };
  checkBaseUrl(settings.baseUrl);
  return settings;
}

/**
 * SECURITY: the saved key goes only to the base URL it was saved for (issue 9). A flag or the
 * environment that points elsewhere gets no saved key: the user gives that address its own key
 * (--api-key or OPENAI_API_KEY, both typed in their own shell).
 */
function savedKeyFor(saved: SavedSettings & { apiKeyBaseUrl?: string }, baseUrl: string, onWarning: (message: string) => void): string | null {
  if (saved.apiKey === null) return null;
  if (saved.apiKeyBaseUrl !== undefined && sameBaseUrl(saved.apiKeyBaseUrl, baseUrl)) return saved.apiKey;
  onWarning(`the saved API key belongs to ${displayUrl(saved.apiKeyBaseUrl ?? '?')}, not ${displayUrl(baseUrl)}; it is not sent there (pass --api-key or set ${PROVIDER_ENV.apiKey})`);
  return null;
}

const WHERE: Record<SettingSource, string> = { flag: 'flag', env: 'environment', settings: 'saved settings', default: 'default' };

/** Names the place a bad base URL came from, so the user knows what to fix. */
function checkBaseUrl({ value, source }: Sourced<string>): void {
  if (isHttpUrl(value)) return;
  const origin = source === 'env' ? PROVIDER_ENV.baseUrl : source === 'settings' ? 'the base URL in the saved settings' : '--base-url';
  throw new RlmError('INVALID_INPUT', `${origin} ${JSON.stringify(value)} is not an http(s) URL (for example http://127.0.0.1:8080/v1)`);
}

/**
 * The lines `run` prints on stderr at its start. SECURITY: never the key, only where it came from.
 */
export function describeRunSettings(s: RunSettings): string[] {
  const key = s.apiKey.value === undefined ? 'none' : `from ${WHERE[s.apiKey.source]}${s.apiKey.source === 'settings' ? ` (${SECRETS_FILE})` : ''}`;
  return [
    `provider ${s.baseUrl.value} (${WHERE[s.baseUrl.source]}); API key: ${key}`,
    `models: ${s.rootModel.value} root (${WHERE[s.rootModel.source]}), ${s.subModel.value} sub (${WHERE[s.subModel.source]}); settings folder ${s.dataDir}`,
  ];
}

/**
 * Why there is no key, for a provider that needs one. The desktop app keeps its key encrypted
 * by the OS keychain through Electron, which plain Node cannot decrypt: say so, rather than let
 * the user think the command line ignored it.
 */
export function missingKeyMessage(dataDir: string): string {
  return (
    `no API key: set ${PROVIDER_ENV.apiKey}, pass --api-key, or save one in the settings of \`rlmscope serve\` (kept in ${dataDir}/${SECRETS_FILE}); ` +
    "a key saved in the desktop app is encrypted by the system keychain and the command line cannot read it"
  );
}
