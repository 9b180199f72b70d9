import { describe, expect, it } from 'vitest';
import { PayloadCache } from './payloadCache';

describe('the payload cache', () => {
  it('answers for the exact revision, keeps the latest for display, and forgets the oldest', () => {
    const cache = new PayloadCache<string>(2);
    cache.set(1, 0, 'a');
    expect(cache.get(1, 0)).toBe('a');
    expect(cache.get(1, 1)).toBeUndefined();
    expect(cache.latest(1)).toEqual({ rev: 0, value: 'a' });
    cache.set(2, 0, 'b');
    cache.set(3, 0, 'c');
    expect(cache.latest(1)).toBeUndefined();
    expect(cache.get(3, 0)).toBe('c');
  });

  it('does not let a slow answer for an older revision replace a newer one', () => {
    const cache = new PayloadCache<string>();
    cache.set(1, 2, 'new');
    cache.set(1, 1, 'old');
    expect(cache.latest(1)).toEqual({ rev: 2, value: 'new' });
  });
});
