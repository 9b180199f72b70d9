import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../shared/domain/run';
import { nestForks } from './forkOrder';

/** A run of the list (only what the order reads matters). */
const run = (runId: string, parent: string | null = null): RunSummary => ({ runId, forkedFrom: parent === null ? null : { runId: parent, nodeId: 3 } }) as RunSummary;
const order = (runs: RunSummary[]) => nestForks(runs).map((r) => `${'  '.repeat(r.level)}${r.run.runId}`);

describe('forks in the runs list', () => {
  it('moves each fork directly under its parent, newest fork first, forks of forks deeper', () => {
    // Newest first, as runs.list returns them.
    const runs = [run('f2', 'p'), run('other'), run('ff', 'f1'), run('f1', 'p'), run('p'), run('old')];
    expect(order(runs)).toEqual(['other', 'p', '  f2', '  f1', '    ff', 'old']);
  });

  it('leaves a fork whose parent is not listed where it was, at the top level', () => {
    expect(order([run('a'), run('f', 'gone'), run('b')])).toEqual(['a', 'f', 'b']);
    const listed = nestForks([run('f', 'gone')]);
    expect(listed[0]).toMatchObject({ level: 0 });
    expect(listed[0]?.run.forkedFrom?.runId).toBe('gone');
  });

  it('keeps every run exactly once, even in a loop of parents or a run that names itself', () => {
    const runs = [run('x', 'y'), run('a'), run('y', 'x'), run('self', 'self')];
    const out = order(runs);
    expect(out.map((line) => line.trim()).sort()).toEqual(['a', 'self', 'x', 'y']);
    expect(out).toContain('self');
  });

  it('keeps the order of a list without forks', () => {
    const runs = Array.from({ length: 500 }, (_, i) => run(`r${i}`));
    expect(nestForks(runs).map((r) => r.run)).toEqual(runs);
  });
});
