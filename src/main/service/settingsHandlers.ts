// The `settings` slice (src/shared/api/settings.ts): read and change what new runs use, and try
// a provider before saving it.
import type { settingsMethods } from '../../shared/api/settings';
import { checkConnection } from '../settings/connectionCheck';
import type { SettingsSource } from './fixedSettings';
import type { Handlers } from './handlers';

export interface ConnectionCheckOptions {
  timeoutMs?: number;
  /** Aborted when the service closes: a test still waiting on the network gives up. */
  signal: AbortSignal;
}

export function settingsHandlers(settings: SettingsSource, connection: ConnectionCheckOptions): Handlers<keyof typeof settingsMethods> {
  return {
    'settings.get': async () => settings.get(),
    'settings.update': async (patch) => settings.update(patch),
    'settings.testConnection': (p) => {
      const saved = settings.resolved();
      const baseUrl = p.baseUrl ?? saved.baseUrl;
      // SECURITY: a key the caller did not type goes only to the base URL it belongs to
      // (keyFor); the page's token must not be enough to send the saved key anywhere else.
      const target = { baseUrl, apiKey: p.apiKey ?? settings.keyFor(baseUrl), model: p.model ?? saved.rootModel };
      return checkConnection(target, connection);
    },
  };
}
