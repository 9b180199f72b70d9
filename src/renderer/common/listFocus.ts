// Arrow keys, Home and End moving the focus among a popup's items (a menu, a list of buttons),
// wrapping at either end: what the run header's "Export run" menu and "⚠ N signals" list share.
import type { KeyboardEvent } from 'react';

/** Moves the focus for ArrowDown/ArrowUp/Home/End and returns true; false for any other key. */
export function moveFocusByKey(event: KeyboardEvent, items: readonly HTMLElement[]): boolean {
  const at = items.indexOf(document.activeElement as HTMLElement);
  const last = items.length - 1;
  const targets: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at < 0 ? last : at - 1, Home: 0, End: last };
  const to = targets[event.key];
  if (to === undefined) return false;
  event.preventDefault();
  items[(to + items.length) % items.length]?.focus();
  return true;
}
