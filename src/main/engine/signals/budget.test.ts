// Budget forecast: the detector fed a run as the engine feeds it (testing/recordedRun.ts).
import { describe, expect, it } from 'vitest';
import { RecordedRun, totalsAt } from '../../testing/recordedRun';
import type { ForecastLimits } from './spendForecast';

describe('RunawaySignals: budget forecast', () => {
  const limits: ForecastLimits = { maxCostUsd: 1, maxTokens: null, maxIterations: 30 };

  it('says when the cost limit will be reached at the recent rate, and is withdrawn when the run stops running', () => {
    const run = new RecordedRun();
    run.rlm();
    for (let s = 0; s <= 4; s++) run.feed({ type: 'totals', totals: totalsAt(s * 0.01), at: s * 1000, limits });
    expect(run.signals()).toEqual([]); // 4 s of samples: too early to say
    run.feed({ type: 'totals', totals: totalsAt(0.1), at: 10_000, limits });
    const [signal] = run.signals('budget-forecast');
    expect(signal).toMatchObject({ nodeId: null, costUsd: 0.1, seen: { limit: 'cost', secondsLeft: 90, turnsLeft: null } });
    expect(signal?.message).toBe("At the current spend the run's cost limit ($1.00, $0.900 left) will be reached in about 90 s at $0.0100/s over the last 10 s.");
    run.feed({ type: 'run.statusChanged', status: 'paused' });
    expect(run.changes.at(-1)?.change).toBe('withdrawn');
    expect(run.signals()).toEqual([]);
    // Totals while paused, and the first seconds after, say nothing.
    run.feed({ type: 'totals', totals: totalsAt(0.2), at: 20_000, limits });
    run.feed({ type: 'run.statusChanged', status: 'running' });
    run.feed({ type: 'totals', totals: totalsAt(0.2), at: 60_000, limits });
    run.feed({ type: 'totals', totals: totalsAt(0.25), at: 62_000, limits });
    expect(run.signals()).toEqual([]);
    run.feed({ type: 'totals', totals: totalsAt(0.3), at: 70_000, limits });
    expect(run.signals('budget-forecast')[0]?.seen).toMatchObject({ secondsLeft: 70 });
    run.feed({ type: 'run.finished' });
    expect(run.signals()).toEqual([]);
  });

  it('forecasts the token limit too, and measures over the recent window only', () => {
    const run = new RecordedRun();
    const tokenLimits: ForecastLimits = { maxCostUsd: null, maxTokens: 1_000_000, maxIterations: 30 };
    // Slow for 10 minutes, then 5,000 tokens a second.
    for (let s = 0; s <= 600; s += 10) run.feed({ type: 'totals', totals: totalsAt(0, s * 10), at: s * 1000, limits: tokenLimits });
    expect(run.signals()).toEqual([]);
    for (let s = 601; s <= 640; s++) run.feed({ type: 'totals', totals: totalsAt(0, 6000 + (s - 600) * 5000), at: s * 1000, limits: tokenLimits });
    const [signal] = run.signals('budget-forecast');
    // 206,000 used, 794,000 left at 5,000/s over the last 30 s: 159 s, rounded to 160.
    expect(signal?.seen).toEqual({ kind: 'budget-forecast', limit: 'tokens', secondsLeft: 160, turnsLeft: null });
    expect(signal?.message).toContain("token limit (1.00M tokens, 794.0k tokens left) will be reached in about 160 s at 5.00k tokens/s over the last 30 s.");
    expect(run.detector.memory().samples).toBeLessThanOrEqual(66);
  });

  it('says when the cost limit comes before the root\'s iteration limit', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    run.turnCall(root, 0.3);
    run.turnCall(root, 0.3);
    run.feed({ type: 'totals', totals: totalsAt(0.6), at: 1000, limits });
    const [signal] = run.signals('budget-forecast');
    expect(signal?.seen).toEqual({ kind: 'budget-forecast', limit: 'cost', secondsLeft: null, turnsLeft: 2 });
    expect(signal?.message).toBe(
      "At the current spend the run's cost limit ($1.00, $0.400 left) will be reached in about 2 more turns of the root at $0.300 a turn, before its iteration limit (2 of 30 used).",
    );
  });

  it('stays quiet without a limit, with a limit far off, and on a healthy run', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    for (let s = 0; s < 100; s++) {
      run.turnCall(root, 0.001);
      run.feed({ type: 'totals', totals: totalsAt(s * 0.001), at: s * 1000, limits: { maxCostUsd: null, maxTokens: null, maxIterations: 30 } });
      run.feed({ type: 'totals', totals: totalsAt(s * 0.001), at: s * 1000 + 1, limits: { maxCostUsd: 100, maxTokens: null, maxIterations: 1000 } });
    }
    expect(run.changes).toEqual([]);
  });
});
