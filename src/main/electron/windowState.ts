// The main window's size and position, remembered between starts. No electron import: the
// displays arrive as plain rectangles (mainWindow.ts reads them from `screen`), so plain Node
// tests the rules, unplugged monitors included.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../settings/atomicFile';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState extends Rect {
  maximized: boolean;
}

/** Where the window opens, and the smallest size it may take on that display. */
export interface WindowPlacement extends WindowState {
  minWidth: number;
  minHeight: number;
}

export const WINDOW_STATE_FILE = 'window-state.json';
/** The UI is laid out for at least this (the issue: no layout breaks at 1024×700). */
export const MIN_WINDOW_SIZE = { width: 1024, height: 700 } as const;
export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 820 } as const;

// Screen coordinates can be negative (a monitor left of or above the primary one); sizes beyond
// any real monitor mean a damaged file.
const coordinate = z.number().int().min(-100_000).max(100_000);
const size = z.number().int().min(1).max(100_000);
const windowStateSchema = z.object({ x: coordinate, y: coordinate, width: size, height: size, maximized: z.boolean() });

/** The saved state, or null when there is none or it is damaged (then the defaults apply). */
export function loadWindowState(file: string): WindowState | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  const parsed = windowStateSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export function saveWindowState(file: string, state: WindowState): void {
  const { x, y, width, height, maximized } = state;
  writeFileAtomic(file, `${JSON.stringify({ x, y, width, height, maximized })}\n`, 0o600);
}

/**
 * Where the window opens: where it was, if that is still on a display, moved and shrunk so that
 * all of it is on that display's work area (no title bar under the task bar or off the edge);
 * otherwise (first start, or the monitor it was on is gone) centred on the primary display at the
 * default size. Never smaller than the minimum, unless the display itself is smaller.
 */
export function placeWindow(saved: WindowState | null, screen: { primary: Rect; displays: readonly Rect[] }): WindowPlacement {
  const home = saved ? largestOverlap(saved, screen.displays) : null;
  const area = home ?? screen.primary;
  const minWidth = Math.min(MIN_WINDOW_SIZE.width, area.width);
  const minHeight = Math.min(MIN_WINDOW_SIZE.height, area.height);
  const width = clamp(saved?.width ?? DEFAULT_WINDOW_SIZE.width, minWidth, area.width);
  const height = clamp(saved?.height ?? DEFAULT_WINDOW_SIZE.height, minHeight, area.height);
  const placed =
    saved && home
      ? { x: clamp(saved.x, area.x, area.x + area.width - width), y: clamp(saved.y, area.y, area.y + area.height - height) }
      : { x: area.x + Math.floor((area.width - width) / 2), y: area.y + Math.floor((area.height - height) / 2) };
  return { ...placed, width, height, maximized: saved?.maximized ?? false, minWidth, minHeight };
}

/** The display area that holds most of `rect`, or null when none holds any of it. */
function largestOverlap(rect: Rect, areas: readonly Rect[]): Rect | null {
  let best: Rect | null = null;
  let bestArea = 0;
  for (const area of areas) {
    const overlap = intersection(rect, area);
    if (overlap > bestArea) {
      best = area;
      bestArea = overlap;
    }
  }
  return best;
}

function intersection(a: Rect, b: Rect): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(value, max));
}

export interface WindowStateSaver {
  /** The window moved or changed size: saved once it has been still for a moment. */
  update(state: WindowState): void;
  /** Saves a pending update now (the window is closing). */
  flush(): void;
}

/**
 * Saves the window's state at most once per `delayMs` of quiet: dragging a window fires 'move'
 * dozens of times a second, and each save is a file write with an fsync. A failed save is reported
 * and otherwise ignored: a read-only disk must not break the window.
 */
export function createWindowStateSaver(options: {
  file: string;
  delayMs?: number;
  save?: (file: string, state: WindowState) => void;
  onError?: (error: unknown) => void;
}): WindowStateSaver {
  const delayMs = options.delayMs ?? 500;
  const save = options.save ?? saveWindowState;
  let pending: WindowState | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    const state = pending;
    pending = null;
    if (!state) return;
    try {
      save(options.file, state);
    } catch (error) {
      options.onError?.(error);
    }
  };

  return {
    update(state) {
      pending = { ...state };
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, delayMs);
      // A pending save never keeps the process alive; 'close' flushes it anyway.
      timer.unref?.();
    },
    flush,
  };
}
