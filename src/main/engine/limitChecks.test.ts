import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { mayStartRlm, mayTakeTurn, passedLimit, timeLeftMs } from './limitChecks';

const limits = { ...DEFAULT_LIMITS, maxCalls: 5, maxSeconds: 1.5 };

describe('limit checks', () => {
  it('lets the call that reaches the call limit start, not the one after it', () => {
    expect(passedLimit(limits, { calls: 5, runningMs: 0 })).toBeNull();
    expect(passedLimit(limits, { calls: 6, runningMs: 0 })).toEqual({ reason: 'max-calls', message: 'the run reached its limit of 5 model calls' });
  });

  it('stops at the time limit, counting running time only', () => {
    expect(passedLimit(limits, { calls: 1, runningMs: 1499 })).toBeNull();
    expect(passedLimit(limits, { calls: 1, runningMs: 1500 })).toEqual({ reason: 'max-seconds', message: 'the run reached its time limit of 1.5 s' });
    expect(timeLeftMs(limits, 1000)).toBe(500);
    expect(timeLeftMs(limits, 2000)).toBe(0);
  });

  it('names the call limit first when both are passed', () => {
    expect(passedLimit(limits, { calls: 6, runningMs: 10_000 })?.reason).toBe('max-calls');
  });

  it('never stops a run whose limits are lifted', () => {
    const lifted = { ...limits, maxCalls: null, maxSeconds: null };
    expect(passedLimit(lifted, { calls: 1e9, runningMs: 1e12 })).toBeNull();
    expect(timeLeftMs(lifted, 1e12)).toBeNull();
  });

  it('gives each RLM maxIterations turns of its own', () => {
    expect(mayTakeTurn({ maxIterations: 2 }, 0)).toBe(true);
    expect(mayTakeTurn({ maxIterations: 2 }, 1)).toBe(true);
    expect(mayTakeTurn({ maxIterations: 2 }, 2)).toBe(false);
  });

  it('starts RLMs down to maxDepth, the root being depth 0', () => {
    expect(mayStartRlm({ maxDepth: 0 }, 0)).toBe(true);
    expect(mayStartRlm({ maxDepth: 0 }, 1)).toBe(false);
    expect(mayStartRlm({ maxDepth: 1 }, 1)).toBe(true);
  });
});
