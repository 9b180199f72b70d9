import { describe, expect, it } from 'vitest';
import { readLines, type LogLine } from './lineReader';
import { chunked } from '../../testing/rlmsLogs';

async function collect(source: AsyncIterable<Uint8Array | string>, maxLineChars?: number): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for await (const line of readLines(source, { maxLineChars })) lines.push(line);
  return lines;
}

const texts = (lines: LogLine[]) => lines.map((l) => (l.kind === 'line' ? l.text : `<${l.chars} chars>`));

describe('readLines', () => {
  it('numbers lines from 1, whatever the chunk size', async () => {
    const text = 'alpha\nbeta\n\ngamma\n';
    for (const size of [1, 2, 3, 7, 1000]) {
      const lines = await collect(chunked(text, size));
      expect(texts(lines)).toEqual(['alpha', 'beta', '', 'gamma']);
      expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4]);
      expect(lines.every((l) => l.kind === 'line' && !l.unterminated)).toBe(true);
    }
  });

  it('drops the CR of CRLF and a leading byte-order mark, and decodes characters split across chunks', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('é✓🎉\r\nnext\r\n', 'utf8')]);
    expect(texts(await collect(chunked(bytes, 1)))).toEqual(['é✓🎉', 'next']);
  });

  it('yields a last line without a newline, marked unterminated', async () => {
    const lines = await collect(chunked('one\ntwo', 2));
    expect(lines.at(-1)).toEqual({ kind: 'line', line: 2, text: 'two', bytesRead: 7, unterminated: true });
  });

  it('skips a line past the cap, counting its characters, and reads on', async () => {
    const lines = await collect(chunked(`short\n${'x'.repeat(50)}\nafter\n${'y'.repeat(30)}`, 8), 20);
    expect(texts(lines)).toEqual(['short', '<50 chars>', 'after', '<30 chars>']);
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4]);
  });

  it('counts the bytes read so far', async () => {
    const lines = await collect(chunked('ab\ncd\n', 3));
    expect(lines.map((l) => l.bytesRead)).toEqual([3, 6]);
  });

  it('takes strings as well as bytes', async () => {
    async function* strings() {
      yield 'a\nb';
      yield 'c\n';
    }
    expect(texts(await collect(strings()))).toEqual(['a', 'bc']);
  });
});
