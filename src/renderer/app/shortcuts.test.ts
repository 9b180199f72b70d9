import { describe, expect, it } from 'vitest';
import { commandForKey, isMacPlatform, shortcutLabel } from './shortcuts';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('commandForKey', () => {
  it('maps Ctrl+key elsewhere and Cmd+key on a Mac', () => {
    expect(commandForKey(key('n', { ctrlKey: true }), false)).toBe('newRun');
    expect(commandForKey(key('O', { ctrlKey: true }), false)).toBe('openFiles');
    expect(commandForKey(key('.', { ctrlKey: true }), false)).toBe('stopRun');
    expect(commandForKey(key(',', { metaKey: true }), true)).toBe('settings');
    expect(commandForKey(key('1', { metaKey: true }), true)).toBe('runs');
  });

  it('ignores plain keys, the other platform modifier and extra modifiers', () => {
    expect(commandForKey(key('n'), false)).toBeNull();
    expect(commandForKey(key('n', { metaKey: true }), false)).toBeNull();
    expect(commandForKey(key('n', { ctrlKey: true }), true)).toBeNull();
    expect(commandForKey(key('n', { ctrlKey: true, shiftKey: true }), false)).toBeNull();
    expect(commandForKey(key('n', { ctrlKey: true, altKey: true }), false)).toBeNull();
    expect(commandForKey(key('x', { ctrlKey: true }), false)).toBeNull();
  });

  it('names the platform and labels shortcuts for it', () => {
    expect(isMacPlatform('MacIntel')).toBe(true);
    expect(isMacPlatform('Linux x86_64')).toBe(false);
    expect(shortcutLabel('n', true)).toBe('⌘N');
    expect(shortcutLabel('n', false)).toBe('Ctrl+N');
  });
});
