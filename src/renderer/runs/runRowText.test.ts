import { describe, expect, it } from 'vitest';
import { emptyTotals, type RunSummary } from '../../shared/domain';
import { costLabel, dateLabel, durationLabel, modelsLabel, oneLine, statusTone } from './runRowText';

const run = (over: Partial<RunSummary> = {}): RunSummary => ({
  ...emptyTotals(),
  runId: 'r-1',
  status: 'completed',
  answer: null,
  stopReason: null,
  error: null,
  query: 'q',
  rootModel: 'gpt-5',
  subModel: 'gpt-5-mini',
  createdAt: 0,
  endedAt: 1000,
  durationMs: 1000,
  ...over,
});

describe('run row text', () => {
  it('folds the query onto one line', () => {
    expect(oneLine('  Summarise\n\nthe   file\t ')).toBe('Summarise the file');
  });

  it('names both models, or one when they are the same', () => {
    expect(modelsLabel(run())).toBe('gpt-5 / gpt-5-mini');
    expect(modelsLabel(run({ subModel: 'gpt-5' }))).toBe('gpt-5');
  });

  it('never shows an unknown cost as $0', () => {
    expect(costLabel(run({ costUsd: 0.0123 }))).toBe('$0.0123');
    expect(costLabel(run({ costUsd: null, pricedCostUsd: 0, unpricedCalls: 2 }))).toBe('cost unknown (2 unpriced calls)');
  });

  it('says a run in progress is in progress', () => {
    expect(durationLabel(run({ status: 'running', durationMs: null }))).toBe('in progress');
    expect(durationLabel(run({ durationMs: 65_000 }))).toBe('1 min 5 s');
  });

  it('dates today by time, this year by day, older by date', () => {
    const now = Date.UTC(2025, 4, 12, 18, 0);
    expect(dateLabel(Date.UTC(2025, 4, 12, 14, 3), now, 'en-GB', 'UTC')).toBe('Today 14:03');
    expect(dateLabel(Date.UTC(2025, 0, 2, 9, 5), now, 'en-GB', 'UTC')).toBe('2 Jan, 9:05');
    expect(dateLabel(Date.UTC(2023, 11, 31, 9, 5), now, 'en-GB', 'UTC')).toBe('31 Dec 2023');
  });

  it('gives every status a tone', () => {
    expect(statusTone('running')).toBe('active');
    expect(statusTone('failed')).toBe('danger');
    expect(statusTone('interrupted')).toBe('muted');
  });
});
