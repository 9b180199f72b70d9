// Which replies the reader switched to "Rendered", remembered across reloads: a set of keys
// (run/node/part) in localStorage. Raw is the default and is not stored; the set keeps the
// newest MAX_KEYS, so years of toggling cannot grow it without bound.
import { useCallback, useSyncExternalStore } from 'react';

const STORAGE_KEY = 'rlmscope.renderedReplies';
const MAX_KEYS = 500;

let keys: string[] | null = null;
const listeners = new Set<() => void>();

function load(): string[] {
  if (keys) return keys;
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
    keys = Array.isArray(stored) ? stored.filter((key): key is string => typeof key === 'string') : [];
  } catch {
    keys = []; // storage unavailable or damaged: start raw
  }
  return keys;
}

export function isRendered(key: string): boolean {
  return load().includes(key);
}

export function setRendered(key: string, rendered: boolean): void {
  const rest = load().filter((k) => k !== key);
  keys = rendered ? [...rest, key].slice(-MAX_KEYS) : rest;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(keys));
  } catch {
    // A full or blocked storage only costs the memory of this choice after a reload.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useRendered(key: string): [boolean, (rendered: boolean) => void] {
  const rendered = useSyncExternalStore(subscribe, () => isRendered(key));
  const set = useCallback((value: boolean) => setRendered(key, value), [key]);
  return [rendered, set];
}
