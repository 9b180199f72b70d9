// How the app's keyboard shortcuts (app/shortcuts.ts) are written for the platform, for tooltips.

export function isMacPlatform(platform: string): boolean {
  return /mac|iphone|ipad/i.test(platform);
}

/** How a shortcut is written for this platform, for tooltips: "Ctrl+N", "⌘N". */
export function shortcutLabel(key: string, mac: boolean): string {
  return mac ? `⌘${key.toUpperCase()}` : `Ctrl+${key.toUpperCase()}`;
}
