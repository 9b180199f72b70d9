// The application menu and its keyboard shortcuts, as a plain template (menu.ts builds it with
// Electron's Menu). Commands for the page go through `dispatch`, which main.ts connects to the
// service's `app.commanded` event; the page decides what each command does.
// Type-only import: plain Node tests this file without the Electron binary.
import type { MenuItemConstructorOptions } from 'electron';
import type { AppCommand } from '../../shared/domain/app';

export interface AppMenuOptions {
  platform: NodeJS.Platform;
  appName: string;
  /** Reload and the developer tools are offered only to developers. */
  development: boolean;
  dispatch(command: AppCommand): void;
  /** Opens an https link in the user's browser (security.ts's openExternally). */
  openLink(url: string): void;
}

/** What Help links to: the paper the app is built on. */
export const HELP_LINKS = [{ label: 'Recursive Language Models (paper)', url: 'https://arxiv.org/abs/2512.24601' }] as const;

type Item = MenuItemConstructorOptions;
const separator: Item = { type: 'separator' };

export function buildAppMenu(options: AppMenuOptions): Item[] {
  const mac = options.platform === 'darwin';
  const command = (label: string, name: AppCommand, accelerator: string): Item => ({
    label,
    accelerator,
    click: () => options.dispatch(name),
  });
  const settings = command(mac ? 'Settings…' : 'Settings', 'settings', 'CmdOrCtrl+,');

  // macOS: the first menu is the app's own and holds Settings and Quit (Apple's Human Interface
  // Guidelines); elsewhere they belong to File.
  const appMenu: Item[] = mac
    ? [
        {
          label: options.appName,
          submenu: [
            { role: 'about' },
            separator,
            settings,
            separator,
            { role: 'services' },
            separator,
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            separator,
            { role: 'quit' },
          ],
        },
      ]
    : [];

  const file: Item = {
    label: 'File',
    submenu: [
      command('New Run', 'newRun', 'CmdOrCtrl+N'),
      command('Open Files…', 'openFiles', 'CmdOrCtrl+O'),
      separator,
      ...(mac ? [{ role: 'close' } as Item] : [settings, separator, { role: 'quit' } as Item]),
    ],
  };

  // The standard Edit menu: on macOS, copy and paste in text fields (the query, "Paste text")
  // only work through menu items with these roles.
  const edit: Item = { role: 'editMenu' };

  const run: Item = { label: 'Run', submenu: [command('Stop Run', 'stopRun', 'CmdOrCtrl+.')] };

  const view: Item = {
    label: 'View',
    submenu: [
      command('Runs', 'runs', 'CmdOrCtrl+1'),
      separator,
      ...(options.development ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, separator] as Item[]) : []),
      // Zoom by roles: Chromium scales the whole page, so text grows with it.
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      // zoomIn's own shortcut is CmdOrCtrl+Plus, which needs Shift on most layouts; the key
      // people press is "=" (electron/electron#6731).
      { role: 'zoomIn', accelerator: 'CmdOrCtrl+=', visible: false, acceleratorWorksWhenHidden: true },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  };

  const help: Item = {
    role: 'help',
    submenu: HELP_LINKS.map((link) => ({ label: link.label, click: () => options.openLink(link.url) })),
  };

  return [...appMenu, file, edit, run, view, { role: 'windowMenu' }, help];
}
