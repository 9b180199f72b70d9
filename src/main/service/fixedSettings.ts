// Where a service without a settings store (the CLI) takes what new runs use: its own config,
// fixed for its lifetime, exactly as before settings existed.
import type { AppSettings } from '../../shared/domain/settings';
import type { RunLimits } from '../../shared/limits';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { RlmError } from '../../shared/errors';
import { PriceTable } from '../model/prices';
import { sameBaseUrl, type ResolvedSettings, type SettingsFile } from '../settings/settingsFile';

/** What the service asks of its settings; SettingsFile is one. */
export type SettingsSource = Pick<SettingsFile, 'get' | 'update' | 'resolved' | 'keyFor'>;

export interface FixedSettingsConfig {
  baseUrl: string;
  apiKey?: string | undefined;
  rootModel: string;
  subModel: string;
  limits?: Partial<RunLimits>;
  /** New runs deduplicate their sub-calls unless runs.start says otherwise (the saved default, for the CLI). */
  dedupeSubcalls?: boolean;
  prices?: PriceTable;
}

export function fixedSettings(config: FixedSettingsConfig): SettingsSource {
  // One table for every run, built once, as the service always did.
  const prices = config.prices ?? PriceTable.withDefaults();
  const resolved: ResolvedSettings = {
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    rootModel: config.rootModel,
    subModel: config.subModel,
    limits: { ...DEFAULT_LIMITS, ...config.limits },
    dedupeSubcalls: config.dedupeSubcalls ?? false,
    prices,
  };
  return {
    resolved: () => resolved,
    // SECURITY: the configured key belongs to the configured base URL only.
    keyFor: (baseUrl) => (sameBaseUrl(baseUrl, resolved.baseUrl) ? resolved.apiKey : undefined),
    get: (): AppSettings => ({
      baseUrl: resolved.baseUrl,
      apiKeyStored: false,
      apiKeySource: resolved.apiKey ? 'environment' : 'none',
      rootModel: resolved.rootModel,
      subModel: resolved.subModel,
      limits: { ...resolved.limits },
      dedupeSubcalls: resolved.dedupeSubcalls,
      // A --prices file is not a set of overrides the settings page could edit.
      prices: {},
      defaultPrices: PriceTable.bundled(),
    }),
    update: () => {
      throw new RlmError('INVALID_INPUT', 'this service has no settings store: its settings come from its command line and environment, and cannot be changed here');
    },
  };
}
