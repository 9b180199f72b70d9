// --dedupe-subcalls meets "Stop this RLM" (red-team, issue 13): a child RLM's sub-call is the first
// of a prompt its sibling repeats; the user stops the first's RLM. The sibling's duplicate must
// neither hang nor inherit that stop: it makes its own request, and the run goes on.
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeRequest } from '../fakeProvider/server';
import { queryOf, repl, ROOT, startHarness, storedTree, turn, type Harness } from '../testing/serviceHarness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const isSub = (req: FakeRequest) => req.messages.every((m) => m.role !== 'system');
const ROOT_CODE = 'const [a, b] = await Promise.all([rlm_query("child A", "text a"), rlm_query("child B", "text b")]); FINAL(a + " | " + b)';
const CHILD_CODE = 'print(await llm_query("the same question"))';

describe('a duplicate sub-call whose first is in a child RLM the user stops', () => {
  it('makes its own request and its RLM answers; the stopped child is stopped and the run completes', async () => {
    let subs = 0;
    let firstSent = false;
    h = await startHarness(async (req) => {
      if (req.model === ROOT) return { text: turn(req) === 0 ? repl(ROOT_CODE) : 'FINAL(root went on)' };
      if (isSub(req)) {
        subs++;
        if (subs === 1) {
          firstSent = true;
          return { hang: true }; // child A's, the first: answered only by the abort
        }
        return { text: 'forty-two' };
      }
      if (turn(req) > 0) return { text: 'FINAL(saw it)' };
      // Child B's first turn only once child A's sub-call is out: B's is then the duplicate.
      if (queryOf(req) === 'child B') while (!firstSent) await new Promise((resolve) => setTimeout(resolve, 20));
      return { text: repl(CHILD_CODE) };
    });
    const { runId } = await h.service.call('runs.start', { query: 'two children', inputs: [{ kind: 'text', name: 'd', text: 'data' }], dedupeSubcalls: true });
    // B's cell has started (its duplicate is waiting on A's call): two cells under the children.
    const childCells = async () => (await h!.service.call('runs.nodes', { runId })).filter((n) => n.kind === 'cell' && n.depth === 1).length;
    for (let i = 0; i < 200 && (await childCells()) < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await childCells()).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(subs).toBe(1);
    const childA = (await h.service.call('runs.nodes', { runId })).find((n) => n.kind === 'rlm' && n.label === 'child A');
    await h.service.call('runs.stopRlm', { runId, nodeId: childA!.id });
    const summary = await h.service.waitForRun(runId);
    expect(summary.status).toBe('completed');
    const nodes = storedTree(h.dbPath, runId);
    expect(nodes.find((n) => n.id === childA!.id)?.status).toBe('stopped');
    expect(nodes.find((n) => n.kind === 'rlm' && n.label === 'child B')).toMatchObject({ status: 'completed', payload: { answer: 'saw it' } });
    expect(subs).toBe(2);
    // B's sub-call is a real one, not served from A's (which never answered).
    const bSubs = nodes.filter((n) => n.purpose === 'sub' && n.status === 'completed');
    expect(bSubs).toHaveLength(1);
    expect(bSubs[0]?.payload.dedupeOf).toBeUndefined();
  }, 60_000);
});
