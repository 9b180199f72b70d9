import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtPaths, nativeBindingPath, userDataDir } from './desktopConfig';

describe('paths', () => {
  it('finds the Electron build of better-sqlite3 under the app', () => {
    expect(nativeBindingPath('/app')).toBe(join('/app', 'native', 'electron', 'better_sqlite3.node'));
  });

  it('finds the preload, the page and the sandbox script from the bundled main script', () => {
    const paths = builtPaths(join('/app', 'out', 'main'));
    expect(paths.preload).toBe(join('/app', 'out', 'preload', 'index.js'));
    expect(paths.sandbox).toBe(join('/app', 'out', 'main', 'sandbox.js'));
    expect(paths.rendererDir).toBe(join('/app', 'out', 'renderer'));
  });
});

describe('userDataDir', () => {
  it("moves Electron's profile into RLMSCOPE_HOME when it is set, and leaves the default otherwise", () => {
    expect(userDataDir({ RLMSCOPE_HOME: '/tmp/rlmscope-e2e-1' })).toBe(join('/tmp/rlmscope-e2e-1', 'desktop'));
    expect(userDataDir({})).toBeUndefined();
    expect(userDataDir({ RLMSCOPE_HOME: '  ' })).toBeUndefined();
  });
});
