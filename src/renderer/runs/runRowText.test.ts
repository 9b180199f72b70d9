import { describe, expect, it } from 'vitest';
import { emptyTotals, type RunSummary } from '../../shared/domain/run';
import { callsLabel, costLabel, dateLabel, depthLabel, durationLabel, modelsLabel, oneLine, statusLabel, statusTone, tokensLabel } from './runRowText';

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

  it('never shows an unknown cost as $0, and keeps it short for its column', () => {
    expect(costLabel(run({ costUsd: 0.0123, pricedCostUsd: 0.0123, modelCalls: 3 }))).toEqual({ text: '$0.0123', full: '$0.0123' });
    expect(costLabel(run({ costUsd: null, pricedCostUsd: 0, unpricedCalls: 2, modelCalls: 2 }))).toEqual({ text: 'unknown', full: 'cost unknown (2 unpriced calls)' });
    expect(costLabel(run({ costUsd: null, pricedCostUsd: 0.5, unpricedCalls: 1, modelCalls: 4 }))).toEqual({ text: '≥ $0.500', full: '≥ $0.500 (1 unpriced call)' });
  });

  it('shows no cost for a run that made no model call', () => {
    expect(costLabel(run({ status: 'failed', costUsd: 0, modelCalls: 0 })).text).toBe('—');
    // A call that was made and priced at nothing still cost $0.00.
    expect(costLabel(run({ costUsd: 0, modelCalls: 1 })).text).toBe('$0.00');
  });

  it('counts calls, tokens and depth, saying each in full', () => {
    expect(callsLabel(run({ modelCalls: 1234 }))).toEqual({ text: '1,234', full: '1,234 model calls' });
    expect(callsLabel(run({ modelCalls: 1 })).full).toBe('1 model call');
    expect(tokensLabel(run({ inputTokens: 12_000, outputTokens: 345 }))).toEqual({ text: '12.3k', full: '12,345 tokens (12,000 in, 345 out)' });
    // Calls made, none with a known count (an imported log without usage): unknown, not 0.
    expect(tokensLabel(run({ modelCalls: 3, inputTokens: 0, outputTokens: 0 })).text).toBe('unknown');
    expect(tokensLabel(run({ modelCalls: 0, inputTokens: 0, outputTokens: 0 })).text).toBe('0');
    expect(depthLabel(run({ maxDepthReached: 2 }))).toEqual({ text: '2', full: 'depth 2' });
  });

  it('tells a cost-limit stop from a stop by the user', () => {
    const byLimit = statusLabel(run({ status: 'stopped', stopReason: 'max-cost', error: 'the run cost $0.0123, reaching its limit of $0.01' }));
    const byUser = statusLabel(run({ status: 'stopped', stopReason: 'user', error: 'stopped by the user' }));
    expect(byLimit).toEqual({ status: 'stopped', reason: 'cost limit', full: 'stopped · cost limit: the run cost $0.0123, reaching its limit of $0.01' });
    expect(byUser).toMatchObject({ reason: 'by you', full: 'stopped · by you: stopped by the user' });
  });

  it('gives a failed run its error, and an answered run no reason unless a limit made it answer', () => {
    expect(statusLabel(run({ status: 'failed', stopReason: 'error', error: 'provider said no' }))).toEqual({ status: 'failed', reason: null, full: 'failed: provider said no' });
    expect(statusLabel(run())).toEqual({ status: 'completed', reason: null, full: 'completed' });
    expect(statusLabel(run({ stopReason: 'max-iterations' })).reason).toBe('turn limit');
    // A live run has not ended: no reason yet, whatever a stale field says.
    expect(statusLabel(run({ status: 'running', stopReason: 'user' })).reason).toBeNull();
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
