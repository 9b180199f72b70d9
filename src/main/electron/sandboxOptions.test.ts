import { describe, expect, it } from 'vitest';
import { appendTail, sandboxEnvironment, sandboxExecArgv, workingSetBytes } from './sandboxOptions';

describe('sandboxEnvironment', () => {
  const parent = { OPENAI_API_KEY: 'sk-secret', PATH: '/usr/bin', HOME: '/home/me', SystemRoot: 'C:\\Windows' };

  it('is never empty, since an empty env makes Electron pass the whole parent environment', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(Object.keys(sandboxEnvironment(platform, {})).length).toBeGreaterThan(0);
    }
  });

  it('carries nothing of the parent but what the OS needs', () => {
    expect(sandboxEnvironment('linux', parent)).toEqual({ NODE_ENV: 'production' });
    expect(sandboxEnvironment('darwin', parent)).toEqual({ NODE_ENV: 'production' });
    expect(sandboxEnvironment('win32', parent)).toEqual({ NODE_ENV: 'production', SystemRoot: 'C:\\Windows' });
    expect(JSON.stringify(sandboxEnvironment('win32', parent))).not.toContain('sk-secret');
  });
});

describe('sandboxExecArgv', () => {
  it('passes V8 flags through --js-flags and no Node flag (the utility process drops them)', () => {
    expect(sandboxExecArgv(512)).toEqual(['--js-flags=--max-old-space-size=512 --disallow-code-generation-from-strings']);
  });

  it('refuses a limit that would not make a flag', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => sandboxExecArgv(bad)).toThrow();
  });
});

describe('workingSetBytes', () => {
  const metrics = [
    { pid: 10, memory: { workingSetSize: 2048 } },
    { pid: 11, memory: { workingSetSize: 100 } },
  ];

  it('reads the kilobytes of the matching process as bytes', () => {
    expect(workingSetBytes(metrics, 11)).toBe(100 * 1024);
  });

  it('is null for a process that is not listed', () => {
    expect(workingSetBytes(metrics, 12)).toBeNull();
    expect(workingSetBytes([], 10)).toBeNull();
  });
});

describe('appendTail', () => {
  it('keeps the last characters only', () => {
    expect(appendTail('abc', 'def', 4)).toBe('cdef');
    expect(appendTail('', 'xy', 4)).toBe('xy');
    expect(appendTail('a'.repeat(8192), 'Reached heap limit').endsWith('Reached heap limit')).toBe(true);
    expect(appendTail('a'.repeat(8192), 'b').length).toBe(8192);
  });
});
