// The application menu as data: every shortcut the issue names reaches the page as a command,
// developer items stay out of a user's menu, and macOS gets its conventions.
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import type { AppCommand } from '../../shared/domain/app';
import { buildAppMenu, HELP_LINKS, type AppMenuOptions } from './appMenu';

type Item = MenuItemConstructorOptions;

function build(overrides: Partial<AppMenuOptions> = {}) {
  const dispatched: AppCommand[] = [];
  const opened: string[] = [];
  const template = buildAppMenu({
    platform: 'linux',
    appName: 'RLMScope',
    development: false,
    dispatch: (command) => dispatched.push(command),
    openLink: (url) => opened.push(url),
    ...overrides,
  });
  return { template, dispatched, opened };
}

function submenu(item: Item | undefined): Item[] {
  return Array.isArray(item?.submenu) ? item.submenu : [];
}

function all(items: Item[]): Item[] {
  return items.flatMap((item) => [item, ...all(submenu(item))]);
}

function topLabels(items: Item[]): string[] {
  return items.map((item) => item.label ?? `(${item.role})`);
}

function click(item: Item | undefined): void {
  if (!item?.click) throw new Error(`${item?.label ?? 'item'} has no click`);
  item.click({} as never, undefined, {} as never);
}

describe('application menu', () => {
  it('sends each command with its shortcut to the page', () => {
    const { template, dispatched } = build();
    const expected: Array<[string, string, AppCommand]> = [
      ['New Run', 'CmdOrCtrl+N', 'newRun'],
      ['Open Files…', 'CmdOrCtrl+O', 'openFiles'],
      ['Settings', 'CmdOrCtrl+,', 'settings'],
      ['Stop Run', 'CmdOrCtrl+.', 'stopRun'],
      ['Runs', 'CmdOrCtrl+1', 'runs'],
    ];
    for (const [label, accelerator, command] of expected) {
      const items = all(template).filter((item) => item.label === label);
      expect(items, label).toHaveLength(1);
      expect(items[0]?.accelerator, label).toBe(accelerator);
      click(items[0]);
      expect(dispatched.at(-1), label).toBe(command);
    }
    expect(dispatched).toHaveLength(expected.length);
  });

  it('has no two items on one shortcut', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const accelerators = all(build({ platform, development: true }).template)
        .map((item) => item.accelerator)
        .filter(Boolean);
      expect(new Set(accelerators).size, platform).toBe(accelerators.length);
    }
  });

  it('puts Settings and Quit in File, in this order of menus, off macOS', () => {
    const { template } = build({ platform: 'win32' });
    expect(topLabels(template)).toEqual(['File', '(editMenu)', 'Run', 'View', '(windowMenu)', '(help)']);
    const file = submenu(template[0]);
    expect(file.map((item) => item.label ?? item.role ?? item.type)).toEqual(['New Run', 'Open Files…', 'separator', 'Settings', 'separator', 'quit']);
  });

  it('follows macOS conventions: the app menu first, holding Settings… and Quit', () => {
    const { template, dispatched } = build({ platform: 'darwin' });
    expect(topLabels(template)).toEqual(['RLMScope', 'File', '(editMenu)', 'Run', 'View', '(windowMenu)', '(help)']);
    const appMenu = submenu(template[0]);
    expect(appMenu[0]?.role).toBe('about');
    expect(appMenu.at(-1)?.role).toBe('quit');
    const settings = appMenu.find((item) => item.label === 'Settings…');
    expect(settings?.accelerator).toBe('CmdOrCtrl+,');
    click(settings);
    expect(dispatched).toEqual(['settings']);
    const file = submenu(template[1]);
    expect(file.some((item) => item.role === 'quit' || item.label?.startsWith('Settings'))).toBe(false);
    expect(file.at(-1)?.role).toBe('close');
  });

  it('offers reload and the developer tools in development only', () => {
    const developerRoles = ['reload', 'forceReload', 'toggleDevTools'];
    const roles = (development: boolean) => all(build({ development }).template).map((item) => item.role);
    expect(roles(false).filter((role) => developerRoles.includes(role ?? ''))).toEqual([]);
    expect(roles(true)).toEqual(expect.arrayContaining(developerRoles));
  });

  it('zooms with the zoom roles, so text scales, and takes CmdOrCtrl+= for zoom in', () => {
    const view = submenu(build().template.find((item) => item.label === 'View'));
    const roles = view.map((item) => item.role).filter(Boolean);
    expect(roles).toEqual(['resetZoom', 'zoomIn', 'zoomIn', 'zoomOut', 'togglefullscreen']);
    expect(view.find((item) => item.accelerator === 'CmdOrCtrl+=')).toMatchObject({ role: 'zoomIn', visible: false });
  });

  it('opens the help links, https only, through openLink', () => {
    const { template, opened } = build();
    const help = submenu(template.find((item) => item.role === 'help'));
    expect(help).toHaveLength(HELP_LINKS.length);
    for (const item of help) click(item);
    expect(opened).toEqual(HELP_LINKS.map((link) => link.url));
    expect(opened.every((url) => url.startsWith('https://'))).toBe(true);
  });
});
