// The app itself: where the RlmApi is served and the commands that reach the page from outside.

/** Where this RlmApi is served: the desktop app (IPC) or browser mode (WebSocket). */
export interface AppInfo {
  mode: 'desktop' | 'browser' | 'node';
  version: string;
  /** The database file. */
  dbPath: string;
}

/** Commands that reach the UI from outside the page (the desktop app's menu). */
export type AppCommand = 'newRun' | 'openFiles' | 'stopRun' | 'settings' | 'runs';
