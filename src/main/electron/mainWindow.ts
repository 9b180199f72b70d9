// The app's one window: hardened webPreferences, and its size and position remembered
// (windowState.ts holds the rules and their tests; this reads the displays and the window).
import { BrowserWindow, screen } from 'electron';
import { createWindowStateSaver, loadWindowState, placeWindow } from './windowState';

export interface MainWindowOptions {
  preload: string;
  /** app://rlmscope/index.html, or the dev server in development. */
  url: string;
  /** window-state.json in the user data folder. */
  stateFile: string;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const placement = placeWindow(loadWindowState(options.stateFile), {
    primary: screen.getPrimaryDisplay().workArea,
    displays: screen.getAllDisplays().map((display) => display.workArea),
  });
  const window = new BrowserWindow({
    x: placement.x,
    y: placement.y,
    width: placement.width,
    height: placement.height,
    minWidth: placement.minWidth,
    minHeight: placement.minHeight,
    title: 'RLMScope',
    show: false,
    // SECURITY: Electron's checklist #2-#4, #6: the page runs in Chromium's sandbox with no Node
    // and its own JavaScript world; it reaches the app only through the preload's window.rlm.
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });

  const saver = createWindowStateSaver({
    file: options.stateFile,
    onError: (error) => console.warn(`rlmscope: the window's size and position were not saved: ${String(error)}`),
  });
  // Normal bounds: what the window returns to when unmaximized, whatever its state now.
  const remember = () => {
    if (!window.isDestroyed()) saver.update({ ...window.getNormalBounds(), maximized: window.isMaximized() });
  };
  window.on('resize', remember);
  window.on('move', remember);
  window.on('maximize', remember);
  window.on('unmaximize', remember);
  window.on('close', () => {
    remember();
    saver.flush();
  });

  window.once('ready-to-show', () => {
    // Maximized before it shows, so it does not appear at its normal size and then jump.
    if (placement.maximized) window.maximize();
    window.show();
  });
  window.loadURL(options.url).catch((error: unknown) => console.error('rlmscope: the window could not load its page:', error));
  return window;
}
