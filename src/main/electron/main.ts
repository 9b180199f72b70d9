// The desktop app's entry point: wiring only. The RlmService (the same one the CLI uses) is
// served to one sandboxed window over IPC (ipc.ts); the page comes from the app's own scheme
// (protocol.ts); settings and the safeStorage-encrypted key come from desktopSettings.ts;
// sandboxes run as utility processes (utilityLauncher.ts); the window and session are hardened
// by security.ts; the window remembers its place (mainWindow.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { app, dialog, session, type BrowserWindow } from 'electron';
import type { AppCommand } from '../../shared/domain/app';
import { defaultDatabasePath } from '../paths';
import { RlmService } from '../service/rlmService';
import { APP_INDEX_URL } from './appScheme';
import { providerSettingsFromEnv } from '../settings/providerDefaults';
import { builtPaths, nativeBindingPath, userDataDir } from './desktopConfig';
import { openDesktopSettings } from './desktopSettings';
import { saveDialogChooser } from './exportDialog';
import { serveRlmApi } from './ipc';
import type { IpcRouter } from './ipcRouter';
import { createMainWindow } from './mainWindow';
import { installAppMenu } from './menu';
import { registerAppScheme, serveRenderer } from './protocol';
import { hardenContents, hardenSession } from './security';
import { appOrigins } from './securityPolicy';
import { createUtilityLauncher } from './utilityLauncher';
import { WINDOW_STATE_FILE } from './windowState';

const paths = builtPaths(__dirname);
const development = !app.isPackaged;
// SECURITY: the dev server's origin becomes a trusted IPC sender, so a packaged app never takes
// it from the environment.
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
const origins = appOrigins({ devServerUrl });

let mainWindow: BrowserWindow | null = null;
let service: RlmService | null = null;
let router: IpcRouter | null = null;
let shutdown: 'no' | 'closing' | 'done' = 'no';

// Before 'ready', all three: the profile's folder, the scheme's privileges, and Chromium's
// sandbox for every renderer.
const customUserData = userDataDir(process.env);
if (customUserData) app.setPath('userData', customUserData);
registerAppScheme();
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // The running instance owns the window; it is told through 'second-instance' and shows itself.
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, origins));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => showWindow());
  app.on('before-quit', (event) => {
    if (shutdown === 'done') return;
    // Runs are stopped and recorded as such, and the database closed, before the app exits.
    event.preventDefault();
    if (shutdown === 'closing') return;
    shutdown = 'closing';
    router?.dispose();
    (service?.close() ?? Promise.resolve())
      .catch((error: unknown) => console.error('rlmscope: closing the service failed:', error))
      .finally(() => {
        shutdown = 'done';
        app.quit();
      });
  });
  app.whenReady().then(start).catch(failToStart);
}

function start(): void {
  const nativeBinding = nativeBindingPath(app.getAppPath());
  if (!existsSync(nativeBinding)) {
    dialog.showErrorBox(
      'RLMScope cannot start',
      `The database driver built for Electron is missing:\n${nativeBinding}\n\n` +
        'It is built by `npm install`, which skips it when ELECTRON_SKIP_BINARY_DOWNLOAD is set. ' +
        'Run `npm install` again without ELECTRON_SKIP_BINARY_DOWNLOAD, then start RLMScope again.',
    );
    app.quit();
    return;
  }
  service = RlmService.open({
    dbPath: defaultDatabasePath(),
    nativeBinding,
    // What the settings page stores (the key encrypted with safeStorage) wins; the environment
    // fills in what the user never chose.
    settings: openDesktopSettings(),
    ...providerSettingsFromEnv(process.env),
    mode: 'desktop',
    launcher: createUtilityLauncher(paths.sandbox),
    // "Export run": the user picks the file here; the service writes it.
    chooseExportPath: saveDialogChooser(
      (window, options) => (window ? dialog.showSaveDialog(window, options) : dialog.showSaveDialog(options)),
      () => mainWindow,
      () => app.getPath('downloads'),
    ),
  });
  hardenSession(session.defaultSession, origins);
  if (!devServerUrl) serveRenderer(paths.rendererDir);
  router = serveRlmApi(service, { allowedOrigins: origins, windowContents: () => mainWindow?.webContents ?? null });
  installAppMenu({ development, dispatch: command });
  createWindow();
}

function createWindow(): void {
  const created = createMainWindow({
    preload: paths.preload,
    url: devServerUrl || APP_INDEX_URL,
    stateFile: join(app.getPath('userData'), WINDOW_STATE_FILE),
  });
  mainWindow = created;
  created.on('closed', () => {
    if (mainWindow === created) mainWindow = null;
  });
}

/** Brings the window to the front, or opens it again (macOS keeps the app without windows). */
function showWindow(): void {
  if (!service) return;
  if (!mainWindow) {
    createWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/** A menu command for the page: it arrives as the `app.commanded` event. */
function command(name: AppCommand): void {
  // Without a window (macOS), the command opens one; the new page starts at its runs list.
  if (!mainWindow) return showWindow();
  showWindow();
  service?.notify(name);
}

function failToStart(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  dialog.showErrorBox('RLMScope cannot start', message);
  app.quit();
}
