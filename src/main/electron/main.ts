// The desktop app's entry point: wiring only. The RlmService (the same one the CLI uses) is
// served to one sandboxed window over IPC (ipc.ts); sandboxes run as utility processes
// (utilityLauncher.ts); the window and session are hardened by security.ts.
import { existsSync } from 'node:fs';
import { app, BrowserWindow, dialog, session } from 'electron';
import { defaultDatabasePath } from '../paths';
import { RlmService } from '../service/rlmService';
import { builtPaths, nativeBindingPath, providerSettingsFromEnv } from './desktopConfig';
import { serveRlmApi } from './ipc';
import type { IpcRouter } from './ipcRouter';
import { hardenContents, hardenSession } from './security';
import { appOrigins } from './securityPolicy';
import { createUtilityLauncher } from './utilityLauncher';

const paths = builtPaths(__dirname);
// SECURITY: the dev server's origin becomes a trusted IPC sender, so a packaged app never takes
// it from the environment.
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
const origins = appOrigins({ devServerUrl, indexFileUrl: paths.indexFileUrl });

let mainWindow: BrowserWindow | null = null;
let service: RlmService | null = null;
let router: IpcRouter | null = null;
let shutdown: 'no' | 'closing' | 'done' = 'no';

// Every renderer in Chromium's sandbox; must be called before the app is ready.
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // The running instance owns the window; it is told through 'second-instance' and shows itself.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, origins));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (service && !mainWindow) createWindow();
  });
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
  // Provider settings come from the environment for now; the settings store (key kept with
  // safeStorage) arrives with the inspector issue.
  service = RlmService.open({
    dbPath: defaultDatabasePath(),
    nativeBinding,
    ...providerSettingsFromEnv(process.env),
    launcher: createUtilityLauncher(paths.sandbox),
  });
  hardenSession(session.defaultSession, origins);
  router = serveRlmApi(service, { allowedOrigins: origins, windowContents: () => mainWindow?.webContents ?? null });
  createWindow();
}

function createWindow(): void {
  const created = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'RLMScope',
    show: false,
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  mainWindow = created;
  created.once('ready-to-show', () => created.show());
  created.on('closed', () => {
    if (mainWindow === created) mainWindow = null;
  });
  const loading = devServerUrl ? created.loadURL(devServerUrl) : created.loadFile(paths.indexHtml);
  loading.catch((error: unknown) => console.error('rlmscope: the window could not load its page:', error));
}

function failToStart(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  dialog.showErrorBox('RLMScope cannot start', message);
  app.quit();
}
