// The app's keyboard shortcuts in the page. The desktop menu has the same accelerators; there
// the menu consumes the key and sends an app command instead, so the page never sees it and
// handling both never acts twice. (A browser keeps some for itself: Ctrl+N, and Ctrl+1 in
// Chromium, never reach a page; the buttons are there for those.)
import type { AppCommand } from '../../shared/domain/app';

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

const BY_KEY: Record<string, AppCommand> = {
  n: 'newRun',
  o: 'openFiles',
  '.': 'stopRun',
  ',': 'settings',
  '1': 'runs',
};

/** The command a key press asks for: Cmd+key on a Mac, Ctrl+key elsewhere, nothing else held. */
export function commandForKey(event: KeyLike, mac: boolean): AppCommand | null {
  const primary = mac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
  if (!primary || event.altKey || event.shiftKey) return null;
  return BY_KEY[event.key.toLowerCase()] ?? null;
}

// How shortcuts are written: in common/, where the features that show one (the Stop button) read it too.
export { isMacPlatform, shortcutLabel } from '../common/shortcutLabel';
