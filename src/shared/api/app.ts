// The `app` slice of the RlmApi: what serves the contract (mode, version, database), and the
// commands the desktop app's menu sends the page.
import type { AppCommand, AppInfo } from '../domain/app';
import { emptyParamsSchema } from '../schemas';

export const appMethods = {
  'app.info': emptyParamsSchema,
} as const;

export interface AppResults {
  'app.info': AppInfo;
}

/** Events that belong to no run (delivered to subscribers of every run). */
export interface AppCommandEvents {
  /** The desktop app's menu asks the page to do something. */
  'app.commanded': { command: AppCommand };
}
