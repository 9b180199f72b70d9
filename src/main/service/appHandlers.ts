// The `app` slice (src/shared/api/app.ts): what serves the contract, for the page to show.
import { resolve } from 'node:path';
import { version as packageVersion } from '../../../package.json';
import type { appMethods } from '../../shared/api/app';
import type { Handlers } from './handlers';
import { isInMemory, type ServiceConfig } from './serviceConfig';

export function appHandlers(config: Pick<ServiceConfig, 'mode' | 'version' | 'dbPath'>): Handlers<keyof typeof appMethods> {
  return {
    'app.info': async () => ({
      mode: config.mode ?? 'node',
      version: config.version ?? packageVersion,
      dbPath: isInMemory(config.dbPath) ? config.dbPath : resolve(config.dbPath),
    }),
  };
}
