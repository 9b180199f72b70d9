// --dedupe-subcalls end to end (issue 13): a real service, the real sandbox, the fake provider
// over loopback. Repeated (model, prompt) sub-calls become one request, also when they are all in
// flight at once; a failed first call is never served; different models are never merged; the
// cached duplicates count against no limit; the run replays and forks as recorded.
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeReply, FakeRequest } from '../fakeProvider/server';
import { repl, ROOT, startHarness, storedTree, SUB, turn, type Harness } from '../testing/serviceHarness';
import { subCallKey } from './subCallDedupe';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const isSub = (req: FakeRequest) => req.messages.every((m) => m.role !== 'system');
const subRequests = (harness: Harness) => harness.fake.requests.filter(isSub);
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A root that runs `code` at its first turn and answers FINAL(done) after; sub-calls answered by `sub`. */
async function runCode(code: string, sub: (req: FakeRequest) => FakeReply | Promise<FakeReply>, start: { dedupeSubcalls?: boolean; limits?: Record<string, number> } = {}) {
  h = await startHarness((req) => (isSub(req) ? sub(req) : { text: turn(req) === 0 ? repl(code) : 'FINAL(done)' }));
  const { runId } = await h.service.call('runs.start', { query: 'q', inputs: [{ kind: 'text', name: 'x', text: 'x' }], ...start });
  const summary = await h.service.waitForRun(runId);
  const nodes = storedTree(h.dbPath, runId);
  const cell = nodes.find((node) => node.kind === 'cell');
  return { runId, summary, nodes, subs: nodes.filter((node) => node.purpose === 'sub'), output: cell?.payload.output ?? '' };
}

const TEN_SAME = `const answers = await llm_query_batched(Array(10).fill('what is 6 x 7?'));\nprint(JSON.stringify(answers))`;
const slowAnswer = () => ({ text: 'forty-two', delayMs: 150 });

describe('--dedupe-subcalls', () => {
  it('makes ten identical batched sub-calls, all in flight at once, one request: nine nodes cached, the cost one call', async () => {
    const { runId, summary, subs, output } = await runCode(TEN_SAME, slowAnswer, { dedupeSubcalls: true });
    expect(summary).toMatchObject({ status: 'completed', answer: 'done', cachedCalls: 9, modelCalls: 3 });
    expect(subRequests(h!)).toHaveLength(1);
    expect(JSON.parse(output.trim())).toEqual(Array(10).fill('forty-two'));
    const [first, ...rest] = subs;
    expect(first).toMatchObject({ cached: false, status: 'completed' });
    expect(first!.costUsd).toBeGreaterThan(0);
    expect(rest).toHaveLength(9);
    for (const node of rest) {
      expect(node).toMatchObject({ cached: true, status: 'completed', costUsd: null, inputTokens: null });
      expect(node.payload).toMatchObject({ dedupeOf: first!.id, text: 'forty-two', prompt: [{ role: 'user', content: 'what is 6 x 7?' }] });
    }
    // The run's cost: its two turns and one sub-call, as the provider billed them.
    const billed = h!.fake.ledger.reduce((sum, bill) => sum + (bill.promptTokens * (bill.model === ROOT ? 2 : 0.5) + bill.completionTokens * (bill.model === ROOT ? 8 : 1)) / 1e6, 0);
    expect(h!.fake.ledger.filter((bill) => bill.model === SUB)).toHaveLength(1);
    expect(summary.costUsd).toBeCloseTo(billed, 12);
    const detail = await h!.service.call('runs.get', { runId });
    expect(detail.dedupeSubcalls).toBe(true);
  }, 60_000);

  it('is off by default: ten identical sub-calls are ten requests (voting asks the same question on purpose)', async () => {
    const { runId, summary, subs } = await runCode(TEN_SAME, slowAnswer);
    expect(subRequests(h!)).toHaveLength(10);
    expect(subs.every((node) => !node.cached && node.payload.dedupeOf === undefined)).toBe(true);
    expect(summary).toMatchObject({ status: 'completed', cachedCalls: 0, modelCalls: 12 });
    expect((await h!.service.call('runs.get', { runId })).dedupeSubcalls).toBe(false);
  }, 60_000);

  it('never serves a failed first call: the duplicate waiting on it makes its own request, and a later one is served by that', async () => {
    let asked = 0;
    const code = `const both = await llm_query_batched(['flaky', 'flaky']);\nprint(JSON.stringify(both));\nprint(await llm_query('flaky'))`;
    const { summary, subs, output } = await runCode(
      code,
      async () => {
        // The first fails only after the second has arrived and is waiting on it; 400 is not retried.
        if (asked++ === 0) {
          await wait(200);
          return { status: 400, error: 'bad luck' };
        }
        return { text: 'fine' };
      },
      { dedupeSubcalls: true },
    );
    expect(subRequests(h!)).toHaveLength(2);
    const [batch, single] = output.trim().split('\n');
    expect(JSON.parse(batch!)).toEqual([expect.stringMatching(/^Error: .*bad luck/), 'fine']);
    expect(single).toBe('fine');
    expect(subs.map((node) => [node.status, node.cached])).toEqual([
      ['failed', false],
      ['completed', false],
      ['completed', true],
    ]);
    expect(subs[2]!.payload.dedupeOf).toBe(subs[1]!.id);
    expect(summary.cachedCalls).toBe(1);
  }, 60_000);

  it('deduplicates rlm_query past the depth limit (a plain sub-call), never a child RLM', async () => {
    const code = "print(JSON.stringify(await Promise.all([rlm_query('same'), rlm_query('same'), llm_query('same')])))";
    const flat = await runCode(code, () => ({ text: 'answer', delayMs: 100 }), { dedupeSubcalls: true, limits: { maxDepth: 0 } });
    expect(JSON.parse(flat.output.trim())).toEqual(['answer', 'answer', 'answer']);
    expect(subRequests(h!)).toHaveLength(1);
    expect(flat.subs.filter((node) => node.cached)).toHaveLength(2);
    await h!.close();
    h = undefined;
    // Within the depth limit each rlm_query is a child RLM of its own, and every model turn is
    // asked: the two children (same query, same conversation) each run their own turns.
    const children = await runCode("print(JSON.stringify(await Promise.all([rlm_query('same'), rlm_query('same')])))", () => ({ text: 'sub answer' }), { dedupeSubcalls: true, limits: { maxDepth: 1 } });
    expect(children.nodes.filter((node) => node.kind === 'rlm' && node.depth === 1)).toHaveLength(2);
    const turns = children.nodes.filter((node) => node.purpose === 'turn');
    expect(turns.length).toBeGreaterThanOrEqual(6);
    expect(turns.some((node) => node.cached)).toBe(false);
    expect(children.nodes.filter((node) => node.cached).every((node) => node.purpose === 'sub')).toBe(true);
  }, 60_000);

  it('never merges the same prompt sent to different models', async () => {
    const code = `print(JSON.stringify(await Promise.all([llm_query('same'), llm_query('same', { model: '${ROOT}' }), llm_query('same')])))`;
    const { subs, output } = await runCode(code, (req) => ({ text: `from ${req.model}`, delayMs: 100 }), { dedupeSubcalls: true });
    expect(JSON.parse(output.trim())).toEqual([`from ${SUB}`, `from ${ROOT}`, `from ${SUB}`]);
    expect(subRequests(h!).map((req) => req.model).sort()).toEqual([ROOT, SUB]);
    expect(subs.filter((node) => node.cached).map((node) => node.model)).toEqual([SUB]);
    expect(subCallKey(SUB, 'same')).not.toBe(subCallKey(ROOT, 'same'));
    // Lengths are part of the key: a model and prompt that run together differently are not one call.
    expect(subCallKey('ab', 'c')).not.toBe(subCallKey('a', 'bc'));
  }, 60_000);

  it('counts the cached duplicates against no limit: --max-calls 3 holds two turns and one request for ten sub-calls', async () => {
    const deduped = await runCode(TEN_SAME, slowAnswer, { dedupeSubcalls: true, limits: { maxCalls: 3 } });
    expect(deduped.summary).toMatchObject({ status: 'completed', answer: 'done', modelCalls: 3, cachedCalls: 9 });
    await h!.close();
    h = undefined;
    // Without it, the same run passes the limit.
    const live = await runCode(TEN_SAME, slowAnswer, { limits: { maxCalls: 3 } });
    expect(live.summary).toMatchObject({ stopReason: 'max-calls' });
  }, 60_000);

  it('lets a duplicate waiting on a call that hangs end with the run: stopping it does not wait for the first', async () => {
    h = await startHarness((req) => (isSub(req) ? { hang: true } : { text: turn(req) === 0 ? repl(TEN_SAME) : 'FINAL(done)' }));
    const { runId } = await h.service.call('runs.start', { query: 'q', inputs: [], dedupeSubcalls: true });
    for (let i = 0; i < 100 && subRequests(h).length === 0; i++) await wait(50);
    expect(subRequests(h)).toHaveLength(1);
    const stopped = Date.now();
    await h.service.call('runs.stop', { runId });
    const summary = await h.service.waitForRun(runId);
    expect(summary.status).toBe('stopped');
    expect(Date.now() - stopped).toBeLessThan(10_000);
    // Only the one call that went out has a node; the nine waiting never made one.
    expect(storedTree(h.dbPath, runId).filter((node) => node.purpose === 'sub')).toHaveLength(1);
  }, 60_000);

  it('replays exactly (every cached answer from its node), and a fork keeps the setting and answers all from the recording', async () => {
    const { runId } = await runCode(TEN_SAME, slowAnswer, { dedupeSubcalls: true });
    const replayed = await h!.service.call('runs.replay', { runId });
    expect(replayed).toMatchObject({ cells: 1, reproduced: 1, diverged: [] });
    const requests = h!.fake.requests.length;
    const fork = await h!.service.call('runs.fork', { runId });
    const forked = await h!.service.waitForRun(fork.runId);
    // Both turns and all ten sub-calls (the first and its nine duplicates) come from the recording.
    expect(forked).toMatchObject({ status: 'completed', answer: 'done', cachedCalls: 12, modelCalls: 0 });
    expect(h!.fake.requests.length).toBe(requests);
    expect((await h!.service.call('runs.get', { runId: fork.runId })).dedupeSubcalls).toBe(true);
    const off = await h!.service.call('runs.fork', { runId, dedupeSubcalls: false });
    await h!.service.waitForRun(off.runId);
    expect((await h!.service.call('runs.get', { runId: off.runId })).dedupeSubcalls).toBe(false);
  }, 60_000);
});
