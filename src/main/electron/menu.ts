// Installs the application menu built by appMenu.ts (where the items and their tests are).
import { Menu } from 'electron';
import type { AppCommand } from '../../shared/domain/app';
import { buildAppMenu } from './appMenu';
import { openExternally } from './security';

export function installAppMenu(options: { development: boolean; dispatch: (command: AppCommand) => void }): void {
  const template = buildAppMenu({
    platform: process.platform,
    // The product's name, not app.name (package.json's lowercase `name`).
    appName: 'RLMScope',
    development: options.development,
    dispatch: options.dispatch,
    openLink: openExternally,
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
