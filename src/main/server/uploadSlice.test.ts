import { describe, expect, it } from 'vitest';
import { sliceRange } from './uploadSlice';

const q = (text: string) => new URLSearchParams(text);

describe('sliceRange', () => {
  it('reads ?offset= and the body length', () => {
    expect(sliceRange(q('offset=0'), '10')).toEqual({ offset: 0, length: 10 });
    expect(sliceRange(q('offset=4194304'), undefined)).toEqual({ offset: 4194304 });
    expect(sliceRange(q(''), '0')).toEqual({ length: 0 });
    expect(sliceRange(q('offset=9007199254740991'), '0')).toEqual({ offset: 9007199254740991, length: 0 });
  });

  it('refuses any offset that is not a plain byte position, in one line', () => {
    for (const bad of ['-1', '+1', '01', '1e3', '0x10', '1.0', ' 1', '', 'NaN', '9007199254740992', '99999999999999999999']) {
      expect(sliceRange(q(`offset=${encodeURIComponent(bad)}`), '1'), bad).toMatch(/^offset ".*" is not a byte position/);
    }
  });

  it('refuses a repeated offset and any other parameter', () => {
    expect(sliceRange(q('offset=0&offset=5'), '1')).toBe('offset is given more than once');
    expect(sliceRange(q('ofset=5'), '1')).toBe('unexpected query parameter "ofset": an upload takes ?offset=<byte> only');
    expect(sliceRange(q('offset=0&token=x'), '1')).toMatch(/unexpected query parameter "token"/);
  });
});
