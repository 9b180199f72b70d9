// The run's clock and call count against its limits (limitChecks.ts holds the rules): paused
// time does not count toward --max-seconds, and the call past --max-calls stops the run.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_LIMITS, type RunLimits } from '../../shared/limits';
import { RunContext, RunStopped, type RunDependencies } from './runContext';

function runWith(limits: Partial<RunLimits>): { run: RunContext; reached: string[] } {
  const reached: string[] = [];
  const recorder = { limitReached: (reason: string) => reached.push(reason), statusChanged: () => undefined };
  // Only the recorder is used by what is tested here.
  const deps = { recorder } as unknown as RunDependencies;
  const run = new RunContext({ runId: 'r-1', query: 'q', rootModel: 'root', subModel: 'sub', limits: { ...DEFAULT_LIMITS, ...limits }, seed: 1 }, deps);
  return { run, reached };
}

describe('a run against its limits', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stops at its time limit, paused time not counted', () => {
    const { run, reached } = runWith({ maxSeconds: 2 });
    run.startClock();
    vi.advanceTimersByTime(1500);
    run.pause();
    vi.advanceTimersByTime(60_000);
    expect(run.stopReason).toBeNull();
    run.resume();
    vi.advanceTimersByTime(499);
    expect(run.stopReason).toBeNull();
    vi.advanceTimersByTime(1);
    expect(run.stopReason?.reason).toBe('max-seconds');
    expect(run.stopReason?.message).toBe('the run reached its time limit of 2 s');
    expect(reached).toEqual(['max-seconds']);
    run.stopClock();
  });

  it('refuses the call past its call limit and stops', () => {
    const { run, reached } = runWith({ maxCalls: 2 });
    run.beforeModelCall();
    run.beforeModelCall();
    expect(() => run.beforeModelCall()).toThrow(RunStopped);
    expect(run.stopReason?.reason).toBe('max-calls');
    expect(reached).toEqual(['max-calls']);
  });

  it('keeps no clock without a time limit', () => {
    const { run } = runWith({ maxSeconds: null });
    run.startClock();
    vi.advanceTimersByTime(365 * 24 * 3600 * 1000);
    expect(run.stopReason).toBeNull();
    run.stopClock();
  });
});
