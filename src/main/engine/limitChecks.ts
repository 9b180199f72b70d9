// Whether a run has passed one of its limits: pure rules over what the run has used, so each
// limit's meaning is stated and tested in one place. The engine keeps the counts and the clock;
// the cost and token limits are kept before each call by budget.ts (a promise against what the
// provider bills, DESIGN §4), the sandbox's own limits by the sandbox.
import type { StopReason } from '../../shared/domain/run';
import type { RunLimits } from '../../shared/limits';

/** What the tree-wide limits are checked against. */
export interface RunUsage {
  /** Model calls started, failed ones included, counting the one about to start. */
  calls: number;
  /** Wall time the run has been running; paused time does not count. */
  runningMs: number;
}

export interface LimitHit {
  reason: Extract<StopReason, 'max-calls' | 'max-seconds'>;
  /** Recorded as the run's error and shown to the user. */
  message: string;
}

/** The first tree-wide limit the run has passed, or null while it is within them. */
export function passedLimit(limits: Pick<RunLimits, 'maxCalls' | 'maxSeconds'>, usage: RunUsage): LimitHit | null {
  const { maxCalls, maxSeconds } = limits;
  if (maxCalls !== null && usage.calls > maxCalls) return { reason: 'max-calls', message: `the run reached its limit of ${maxCalls} model calls` };
  if (maxSeconds !== null && usage.runningMs >= maxSeconds * 1000) return { reason: 'max-seconds', message: `the run reached its time limit of ${maxSeconds} s` };
  return null;
}

/** Running time left before the time limit (0 once passed); null without a time limit. */
export function timeLeftMs(limits: Pick<RunLimits, 'maxSeconds'>, runningMs: number): number | null {
  return limits.maxSeconds === null ? null : Math.max(0, limits.maxSeconds * 1000 - runningMs);
}

/** Whether an RLM that has taken `turns` model turns may take another (then it is asked for its answer). */
export function mayTakeTurn(limits: Pick<RunLimits, 'maxIterations'>, turns: number): boolean {
  return turns < limits.maxIterations;
}

/** Whether an RLM may start at `depth` (the root is 0); deeper `rlm_query` calls become sub-model calls. */
export function mayStartRlm(limits: Pick<RunLimits, 'maxDepth'>, depth: number): boolean {
  return depth <= limits.maxDepth;
}
