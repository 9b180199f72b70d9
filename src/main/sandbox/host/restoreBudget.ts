// How much re-running a restarted sandbox may do. A restart restores variables by re-running
// every earlier cell, so each restart would cost as much as all the work done so far, and a run
// that restarts often would pay it again and again (issue 9: three 1.4 s cells made each later
// restart cost 4–5 s). Each restart re-runs at most `perRestartMs` of recorded work, a sandbox's
// restarts at most `perSandboxMs` in all; cells past that are not restored and the model is told.

/** Default bounds: one restart re-runs at most 10 s of work, one sandbox's restarts 30 s in all. */
export const RESTORE_MS_PER_RESTART = 10_000;
export const RESTORE_MS_PER_SANDBOX = 30_000;

export interface RestorePlan {
  /** How many of the recorded cells, from the first, to re-run. */
  cells: number;
  /** The time the re-runs may take in all: past it, the one running is stopped and the rest left out. */
  limitMs: number;
  /** Which bound `limitMs` comes from: one restart's, or what is left of the sandbox's. */
  bound: 'restart' | 'sandbox';
}

export class RestoreBudget {
  private spentMs = 0;

  constructor(
    readonly perRestartMs = RESTORE_MS_PER_RESTART,
    readonly perSandboxMs = RESTORE_MS_PER_SANDBOX,
  ) {}

  /** The time re-runs have taken so far, over all restarts. */
  get spent(): number {
    return this.spentMs;
  }

  /**
   * The longest run of cells, from the first, whose recorded work fits: a later cell may use what
   * an earlier one defined, so none is re-run without all those before it.
   */
  plan(workMs: readonly number[]): RestorePlan {
    const left = Math.max(0, this.perSandboxMs - this.spentMs);
    const limitMs = Math.min(this.perRestartMs, left);
    let total = 0;
    let cells = 0;
    for (const ms of workMs) {
      if (total + ms > limitMs) break;
      total += ms;
      cells++;
    }
    return { cells, limitMs, bound: left < this.perRestartMs ? 'sandbox' : 'restart' };
  }

  /** Time one restart's re-runs took. */
  spend(ms: number): void {
    this.spentMs += Math.max(0, ms);
  }
}
