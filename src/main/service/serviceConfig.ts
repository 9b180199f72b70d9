// What a service is opened with. The CLI gives the provider fields; the desktop app and browser
// mode give a settings store as well, whose values then win for every new run.
import type { AppInfo } from '../../shared/domain/app';
import type { SandboxLauncher } from '../sandbox/host/launcher';
import type { SettingsFile } from '../settings/settingsFile';
import type { FixedSettingsConfig } from './fixedSettings';
import type { ClientTuning } from './modelClients';
import type { ChooseExportPath } from './runExports';
import type { UploadLimits } from './uploads';

/** The provider, models, limits and prices fields are what new runs use when `settings` is absent (the CLI). */
export interface ServiceConfig extends FixedSettingsConfig {
  dbPath: string;
  /** better-sqlite3 built for Electron's ABI (the desktop app); Node's build otherwise. */
  nativeBinding?: string;
  /**
   * The app's settings (desktop app, browser mode). When given, every new run reads its base
   * URL, key, models, default limits and prices from here at its start, instead of the fields
   * above: a change applies to the next run without a restart.
   */
  settings?: SettingsFile;
  launcher: SandboxLauncher;
  /** Timeouts and retry back-off of model calls. */
  client?: ClientTuning;
  /** Where this service is served, for `app.info`. Default 'node'. */
  mode?: AppInfo['mode'];
  /** For `app.info`; default: package.json's. */
  version?: string;
  /** Where uploads wait for their run; default `uploads` beside the database file. */
  uploadsDir?: string;
  uploadLimits?: Partial<UploadLimits>;
  /** Of `settings.testConnection`; default 10 s. */
  connectionTimeoutMs?: number;
  /** The desktop app's save dialog, where `interop.export` asks the user for a path. */
  chooseExportPath?: ChooseExportPath;
}

/** A database that lives in memory, with no file (and no folder) of its own. */
export function isInMemory(dbPath: string): boolean {
  return dbPath === ':memory:' || dbPath === '';
}
