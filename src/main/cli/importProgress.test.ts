import { describe, expect, it } from 'vitest';
import { ImportProgressLine, PROGRESS_FROM_BYTES } from './importProgress';

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => written.push(text) };
}

describe('ImportProgressLine', () => {
  it('says nothing for a small file', () => {
    const out = stream(false);
    const progress = new ImportProgressLine('small.jsonl', PROGRESS_FROM_BYTES - 1, out);
    progress.update(PROGRESS_FROM_BYTES - 1);
    progress.done();
    expect(out.written).toEqual([]);
  });

  it('writes a line per tenth of a big file when stderr is no terminal', () => {
    const out = stream(false);
    const total = 100_000_000;
    const progress = new ImportProgressLine('big.jsonl', total, out);
    for (let read = 0; read <= total; read += 1_000_000) progress.update(read);
    expect(out.written).toHaveLength(11);
    expect(out.written[1]).toBe('importing big.jsonl: 10% (10.0 of 100.0 MB)\n');
    expect(out.written.at(-1)).toBe('importing big.jsonl: 100% (100.0 of 100.0 MB)\n');
  });

  it('redraws one line on a terminal and clears it at the end', () => {
    const out = stream(true);
    const progress = new ImportProgressLine('big.jsonl', 200_000_000, out);
    progress.update(1_000_000);
    progress.update(1_500_000);
    progress.update(2_000_000);
    progress.done();
    expect(out.written).toEqual(['\r\x1b[Kimporting big.jsonl: 0% (1.0 of 200.0 MB)', '\r\x1b[Kimporting big.jsonl: 1% (2.0 of 200.0 MB)', '\r\x1b[K']);
  });
});
