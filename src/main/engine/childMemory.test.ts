// Issue 9, "child RLM count": `--max-depth 10` allowed 41 sandboxes of 2 GB each at once. A run's
// sandboxes together hold at most SANDBOXES_PER_RUN times one sandbox's memory; a child past it is
// refused with a message for the model, never queued. The real engine, real sandbox processes and
// the fake provider.
import { afterEach, describe, expect, it } from 'vitest';
import { lastUser, queryOf, repl, startHarness, turn, type Harness } from '../testing/serviceHarness';
import { childRefusal, SANDBOXES_PER_RUN } from './sandboxMemory';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

function barrier(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe("the run's sandbox memory", () => {
  it('never has more sandboxes alive than the budget allows; children past it are refused and the run completes', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    const MAX_DEPTH = 3;
    const CHILDREN_ALLOWED = SANDBOXES_PER_RUN - 1; // the root holds one share
    let alive = 0;
    let most = 0;
    const refusals: string[] = [];
    const full = barrier();
    const refused = barrier();
    const overBudget = barrier();
    harness = await startHarness(async (req) => {
      const query = queryOf(req);
      const depth = Number(/^child d(\d+)/.exec(query)?.[1] ?? 0);
      const path = query.split(' ')[2] ?? 'r';
      if (turn(req) === 0) {
        if (depth > 0) {
          alive++;
          most = Math.max(most, alive);
          if (alive === CHILDREN_ALLOWED) full.open();
          if (alive > CHILDREN_ALLOWED) overBudget.open(); // the bound failed: no point holding on
        }
        // Every RLM above the depth limit starts four children in parallel (four per depth may run at once).
        const code =
          depth < MAX_DEPTH
            ? `const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => rlm_query("child d${depth + 1} ${path}." + i).catch((e) => e.message))); print(answers.join("\\n"))`
            : 'print("leaf")';
        return { text: repl(code) };
      }
      for (const line of lastUser(req).split('\n')) if (line.startsWith('rlm_query refused')) refusals.push(line);
      if (refusals.length > 0) refused.open();
      if (depth > 0) {
        // Each child holds its sandbox until the budget has been full and a child was refused:
        // sandbox processes start slowly on a loaded machine, so a barrier, not a timing, keeps
        // enough of them alive at once. When the bound does not hold, the test fails fast.
        await Promise.race([Promise.all([full.promise, refused.promise]), overBudget.promise, new Promise((resolve) => setTimeout(resolve, 20_000))]);
        alive--;
        return { text: 'FINAL(ok)' };
      }
      return { text: 'FINAL(root done)' };
    });
    const { runId } = await harness.service.call('runs.start', {
      query: 'q',
      inputs: [{ kind: 'text', name: 'doc', text: 'the document' }],
      limits: { maxDepth: MAX_DEPTH, sandboxMemoryMb: 256, concurrency: 16 },
    });
    const summary = await harness.service.waitForRun(runId);
    expect(summary).toMatchObject({ status: 'completed', answer: 'root done', maxDepthReached: MAX_DEPTH });
    // Without the budget, four per depth at each of three depths would be twelve children at once.
    expect(most).toBe(CHILDREN_ALLOWED);
    expect(refusals.length).toBeGreaterThan(0);
    expect(new Set(refusals)).toEqual(new Set([childRefusal(256, { heldMb: 2048, totalMb: 2048 }, 256)]));
    // A refused child started no sandbox and left no node: every child node completed.
    const nodes = await harness.service.call('runs.nodes', { runId });
    const children = nodes.filter((node) => node.kind === 'rlm' && node.depth > 0);
    expect(children.every((node) => node.status === 'completed')).toBe(true);
    expect(children.length + refusals.length).toBe(4 + children.filter((node) => node.depth < MAX_DEPTH).length * 4);
    // Each RLM follows the run's stop signal through one shared listener, not one of its own.
    process.off('warning', onWarning);
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  }, 180_000);
});
