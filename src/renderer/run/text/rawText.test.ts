import { describe, expect, it } from 'vitest';
import { charEdge, cutText } from './RawText';

describe('cutText', () => {
  it('never cuts between the halves of an astral character', () => {
    // "😀" is two UTF-16 units: a cut after the first would show a lone half as "�".
    expect(cutText('ab😀cd', 3, 40)).toBe('ab');
    expect(cutText('ab😀cd', 4, 40)).toBe('ab😀');
    expect(cutText('ab\ncd', 10, 1)).toBe('ab');
  });
});

describe('charEdge', () => {
  it('moves an index inside an astral character back to its start, and leaves others', () => {
    expect(charEdge('a😀b', 2)).toBe(1);
    expect(charEdge('a😀b', 1)).toBe(1);
    expect(charEdge('a😀b', 3)).toBe(3);
    expect(charEdge('a😀b', 0)).toBe(0);
  });
});
