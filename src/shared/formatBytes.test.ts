import { describe, expect, it } from 'vitest';
import { formatBytes, percent } from './formatBytes';

describe('formatBytes', () => {
  it('reads like a file manager', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(250 * 1024 * 1024)).toBe('250 MB');
    expect(formatBytes(4 * 1024 ** 3)).toBe('4.0 GB');
  });
});

describe('percent', () => {
  it('reaches 100 only when done', () => {
    expect(percent(0, 10)).toBe(0);
    expect(percent(9999, 10000)).toBe(99);
    expect(percent(10, 10)).toBe(100);
    expect(percent(0, 0)).toBe(100);
  });
});
