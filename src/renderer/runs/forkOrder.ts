// The runs list with each fork directly under its parent (issue 12): a fork is newer than its
// parent, so in the newest-first list it would come above it, far away once other runs came in
// between. A fork whose parent is not in the list (another page, filtered out by the search,
// deleted) stays where it was, marked as a fork all the same.
import type { RunSummary } from '../../shared/domain/run';

export interface ListedRun {
  run: RunSummary;
  /** 0 at the top level; n for a fork shown under its parent at level n - 1. */
  level: number;
}

/**
 * The runs in list order, forks moved under their parents (forks of one parent newest first, as
 * the list is). Iterative, and safe against a damaged chain of parents (a loop): every run comes
 * out exactly once.
 */
export function nestForks(runs: readonly RunSummary[]): ListedRun[] {
  const listed = new Set(runs.map((r) => r.runId));
  const forksOf = new Map<string, RunSummary[]>();
  const top: RunSummary[] = [];
  for (const run of runs) {
    const parent = run.forkedFrom?.runId;
    if (parent !== undefined && parent !== run.runId && listed.has(parent)) {
      const forks = forksOf.get(parent);
      if (forks) forks.push(run);
      else forksOf.set(parent, [run]);
    } else {
      top.push(run);
    }
  }
  const out: ListedRun[] = [];
  const placed = new Set<string>();
  const walk = (root: RunSummary) => {
    const stack: ListedRun[] = [{ run: root, level: 0 }];
    while (stack.length > 0) {
      const next = stack.pop() as ListedRun;
      if (placed.has(next.run.runId)) continue;
      placed.add(next.run.runId);
      out.push(next);
      const forks = forksOf.get(next.run.runId) ?? [];
      // Pushed in reverse so the newest fork comes out first.
      for (let i = forks.length - 1; i >= 0; i--) stack.push({ run: forks[i] as RunSummary, level: next.level + 1 });
    }
  };
  for (const run of top) walk(run);
  // Runs in a loop of parents reach no top-level run: shown at the top level, in list order.
  if (out.length < runs.length) for (const run of runs) if (!placed.has(run.runId)) walk(run);
  return out;
}
