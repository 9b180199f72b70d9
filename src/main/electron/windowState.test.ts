// Window size and position: saved as JSON, read back only when valid, and always placed where the
// user can see and grab the window, whatever happened to the monitors in between.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createWindowStateSaver,
  DEFAULT_WINDOW_SIZE,
  loadWindowState,
  MIN_WINDOW_SIZE,
  placeWindow,
  saveWindowState,
  type Rect,
  type WindowState,
} from './windowState';

// Work areas: the primary monitor less a 40 px task bar, and a second monitor to its left.
const PRIMARY: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
const LEFT: Rect = { x: -2560, y: -200, width: 2560, height: 1440 };
const oneScreen = { primary: PRIMARY, displays: [PRIMARY] };
const twoScreens = { primary: PRIMARY, displays: [PRIMARY, LEFT] };

function isInside(rect: Rect, area: Rect): boolean {
  return rect.x >= area.x && rect.y >= area.y && rect.x + rect.width <= area.x + area.width && rect.y + rect.height <= area.y + area.height;
}

describe('placeWindow', () => {
  it('opens centred on the primary display at the default size the first time', () => {
    const placed = placeWindow(null, twoScreens);
    expect(placed).toMatchObject({ ...DEFAULT_WINDOW_SIZE, maximized: false, minWidth: 1024, minHeight: 700 });
    expect(placed.x).toBe((1920 - DEFAULT_WINDOW_SIZE.width) / 2);
    expect(placed.y).toBe((1040 - DEFAULT_WINDOW_SIZE.height) / 2);
  });

  it('comes back where it was, on whichever monitor that was', () => {
    const onPrimary: WindowState = { x: 100, y: 50, width: 1400, height: 900, maximized: false };
    expect(placeWindow(onPrimary, twoScreens)).toMatchObject(onPrimary);
    const onLeft: WindowState = { x: -2000, y: 0, width: 1600, height: 1000, maximized: true };
    expect(placeWindow(onLeft, twoScreens)).toMatchObject(onLeft);
  });

  it('comes back on the primary display when its monitor has been unplugged', () => {
    const onLeft: WindowState = { x: -2000, y: 0, width: 1600, height: 1000, maximized: true };
    const placed = placeWindow(onLeft, oneScreen);
    expect(isInside(placed, PRIMARY)).toBe(true);
    expect(placed).toMatchObject({ width: 1600, height: 1000, maximized: true });
    expect(placed.x).toBe((1920 - 1600) / 2);
  });

  it('is moved fully onto the display it mostly overlaps, title bar included', () => {
    const hanging: WindowState = { x: 1500, y: -300, width: 1200, height: 800, maximized: false };
    const placed = placeWindow(hanging, oneScreen);
    expect(isInside(placed, PRIMARY)).toBe(true);
    expect(placed).toMatchObject({ x: 1920 - 1200, y: 0, width: 1200, height: 800 });
    // Below the task bar: pulled up into the work area.
    const low = placeWindow({ x: 10, y: 900, width: 1100, height: 750, maximized: false }, oneScreen);
    expect(low.y + low.height).toBeLessThanOrEqual(1040);
  });

  it('shrinks a window larger than its display, and grows one below the minimum', () => {
    const huge = placeWindow({ x: 0, y: 0, width: 5000, height: 3000, maximized: false }, oneScreen);
    expect(huge).toMatchObject({ x: 0, y: 0, width: 1920, height: 1040 });
    const tiny = placeWindow({ x: 10, y: 10, width: 300, height: 200, maximized: false }, oneScreen);
    expect(tiny).toMatchObject({ width: MIN_WINDOW_SIZE.width, height: MIN_WINDOW_SIZE.height });
  });

  it('fits the 1024×700 minimum on a small laptop screen, and fits a screen smaller than that', () => {
    const laptop: Rect = { x: 0, y: 0, width: 1366, height: 728 };
    const placed = placeWindow(null, { primary: laptop, displays: [laptop] });
    expect(isInside(placed, laptop)).toBe(true);
    expect(placed).toMatchObject({ minWidth: 1024, minHeight: 700, width: 1280, height: 728 });
    const tiny: Rect = { x: 0, y: 0, width: 1000, height: 600 };
    const squeezed = placeWindow({ x: 0, y: 0, width: 1280, height: 820, maximized: false }, { primary: tiny, displays: [tiny] });
    expect(squeezed).toMatchObject({ x: 0, y: 0, width: 1000, height: 600, minWidth: 1000, minHeight: 600 });
  });
});

describe('window state file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rlmscope-window-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('saves and loads the state', () => {
    const file = join(dir, 'window-state.json');
    const state: WindowState = { x: -1200, y: 30, width: 1300, height: 850, maximized: true };
    saveWindowState(file, state);
    expect(loadWindowState(file)).toEqual(state);
  });

  it('reads a missing, corrupt or implausible file as no state, so the defaults apply', () => {
    const file = join(dir, 'window-state.json');
    expect(loadWindowState(file)).toBeNull();
    for (const content of [
      '{"x":1,"y":2,"width":1300',
      'null',
      '[]',
      '{"x":"1","y":2,"width":1300,"height":800,"maximized":false}',
      '{"x":1,"y":2,"width":0,"height":800,"maximized":false}',
      '{"x":1,"y":2,"width":1300.5,"height":800,"maximized":false}',
      '{"x":1e9,"y":2,"width":1300,"height":800,"maximized":false}',
      '{"x":1,"y":2,"width":1300,"height":800}',
    ]) {
      writeFileSync(file, content);
      expect(loadWindowState(file), content).toBeNull();
      expect(placeWindow(loadWindowState(file), oneScreen)).toMatchObject(DEFAULT_WINDOW_SIZE);
    }
  });
});

describe('createWindowStateSaver', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const at = (x: number): WindowState => ({ x, y: 0, width: 1200, height: 800, maximized: false });

  it('saves once the window has been still for the delay, with the last state only', () => {
    const saves: WindowState[] = [];
    const saver = createWindowStateSaver({ file: 'f', delayMs: 500, save: (_file, state) => saves.push(state) });
    for (let x = 0; x < 30; x++) {
      saver.update(at(x));
      vi.advanceTimersByTime(100);
    }
    expect(saves).toEqual([]);
    vi.advanceTimersByTime(500);
    expect(saves).toEqual([at(29)]);
    vi.advanceTimersByTime(5000);
    expect(saves).toHaveLength(1);
  });

  it('saves at once on flush (the window closing), and not again afterwards', () => {
    const saves: WindowState[] = [];
    const saver = createWindowStateSaver({ file: 'f', save: (_file, state) => saves.push(state) });
    saver.update(at(7));
    saver.flush();
    expect(saves).toEqual([at(7)]);
    vi.advanceTimersByTime(5000);
    saver.flush();
    expect(saves).toEqual([at(7)]);
  });

  it('reports a failed save and keeps working', () => {
    const errors: unknown[] = [];
    let fail = true;
    const saves: WindowState[] = [];
    const saver = createWindowStateSaver({
      file: 'f',
      save: (_file, state) => {
        if (fail) throw new Error('EROFS: read-only file system');
        saves.push(state);
      },
      onError: (error) => errors.push(error),
    });
    saver.update(at(1));
    saver.flush();
    expect(errors).toHaveLength(1);
    fail = false;
    saver.update(at(2));
    saver.flush();
    expect(saves).toEqual([at(2)]);
  });

  it('writes the real file through the default save', () => {
    vi.useRealTimers();
    const dir = mkdtempSync(join(tmpdir(), 'rlmscope-window-'));
    try {
      const file = join(dir, 'window-state.json');
      const saver = createWindowStateSaver({ file });
      saver.update(at(3));
      saver.flush();
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(at(3));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
