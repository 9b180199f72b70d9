import { describe, expect, it } from 'vitest';
import { RestoreBudget } from './restoreBudget';

describe('the restore budget of a restarted sandbox', () => {
  it('re-runs the longest run of cells from the first whose recorded work fits one restart', () => {
    const budget = new RestoreBudget(1000, 10_000);
    expect(budget.plan([100, 200, 300])).toEqual({ cells: 3, limitMs: 1000, bound: 'restart' });
    // The third would pass the bound; the fourth would fit, but may use what the third defined.
    expect(budget.plan([400, 500, 300, 10])).toEqual({ cells: 2, limitMs: 1000, bound: 'restart' });
    expect(budget.plan([1500, 1])).toMatchObject({ cells: 0 });
    expect(budget.plan([])).toMatchObject({ cells: 0 });
  });

  it('bounds all of a sandbox’s restarts together, so restarting often stops costing', () => {
    const budget = new RestoreBudget(1000, 2500);
    const cells = [300, 300, 300];
    for (const expected of [3, 3]) {
      const plan = budget.plan(cells);
      expect(plan).toMatchObject({ cells: expected, bound: 'restart' });
      budget.spend(900);
    }
    // 1,800 ms spent: 700 left of the sandbox's 2,500, less than one restart's 1,000.
    expect(budget.plan(cells)).toEqual({ cells: 2, limitMs: 700, bound: 'sandbox' });
    budget.spend(700);
    expect(budget.spent).toBe(2500);
    expect(budget.plan(cells)).toEqual({ cells: 0, limitMs: 0, bound: 'sandbox' });
    // Cells that took no measurable time still cost nothing.
    expect(budget.plan([0, 0])).toMatchObject({ cells: 2 });
  });

  it('never counts negative time', () => {
    const budget = new RestoreBudget(100, 100);
    budget.spend(-50);
    expect(budget.spent).toBe(0);
  });
});
