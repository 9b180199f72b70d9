import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../shared/domain/run';
import { importedText, importFailedText, importProgressText } from './importText';

const runs = (n: number) => Array.from({ length: n }, () => ({}) as RunSummary);

describe('import messages', () => {
  it('counts the runs and the warnings, quoting the first', () => {
    expect(importedText('a.jsonl', { runs: runs(6), warnings: [] })).toBe('6 runs imported from a.jsonl');
    expect(importedText('a.jsonl', { runs: runs(1), warnings: ['line 4 is not JSON'] })).toBe('1 run imported from a.jsonl (1 warning: line 4 is not JSON)');
    expect(importedText('a.jsonl', { runs: runs(2), warnings: ['line 4 is not JSON', 'line 9 is cut'] })).toBe('2 runs imported from a.jsonl (2 warnings: line 4 is not JSON …)');
  });

  it('names a failed file once', () => {
    expect(importFailedText('notes.txt', 'notes.txt: The file holds no record')).toBe('Not imported: notes.txt: The file holds no record');
    expect(importFailedText('big.jsonl', 'the disk is full')).toBe('Not imported: big.jsonl: the disk is full');
  });

  it('shows progress in whole percents, and which file of several', () => {
    expect(importProgressText('a.jsonl', 0, 1, 512, 1024)).toBe('Importing a.jsonl… 50%');
    expect(importProgressText('b.rlmscope', 1, 3, 0, 0)).toBe('Importing b.rlmscope (2 of 3)… 100%');
  });
});
