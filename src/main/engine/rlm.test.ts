// The RLM loop's conversation rules, through the real service, sandbox and fake provider.
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeHandler } from '../fakeProvider/server';
import { lastUser, queryOf, repl, ROOT, startHarness, SUB, turn, type Harness } from '../testing/serviceHarness';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function run(handler: FakeHandler, text = 'the document', limits = {}) {
  harness = await startHarness(handler);
  const { runId } = await harness.service.call('runs.start', { query: 'q', inputs: [{ kind: 'text', name: 'doc', text }], limits });
  const summary = await harness.service.waitForRun(runId);
  const nodes = await harness.service.call('runs.nodes', { runId });
  return { summary, nodes, runId, harness };
}

describe('the RLM loop', () => {
  it('nudges a reply with neither code nor answer, and says a python block is not run', async () => {
    const seen: string[] = [];
    const { summary } = await run((req) => {
      seen.push(lastUser(req));
      if (turn(req) === 0) return { text: 'I will think about it.' };
      if (turn(req) === 1) return { text: '```python\nprint(len(context))\n```' };
      return { text: 'FINAL(ok)' };
    });
    expect(summary).toMatchObject({ status: 'completed', answer: 'ok', iterations: 3 });
    expect(seen[1]).toMatch(/no ```repl code block and no FINAL/);
    expect(seen[2]).toMatch(/Blocks tagged `python` were not run/);
  });

  it('reads FINAL_VAR from a reply without code, and tells the model when the variable is missing', async () => {
    const { summary } = await run((req) => {
      if (turn(req) === 0) return { text: repl('const result = context.toUpperCase()') };
      if (turn(req) === 1) return { text: 'FINAL_VAR(reslt)' };
      if (turn(req) === 2) return { text: lastUser(req).includes('no variable named "reslt"') ? 'FINAL_VAR(result)' : 'FINAL(not told)' };
      return { text: 'FINAL(unexpected)' };
    });
    expect(summary).toMatchObject({ status: 'completed', answer: 'THE DOCUMENT' });
  });

  it('runs every block in order and skips those after FINAL', async () => {
    const { summary, nodes, runId, harness: h } = await run(() => ({
      text: `${repl('const a = 1')}\n${repl('const b = a + 1; FINAL(String(b))')}\n${repl('print("never")')}`,
    }));
    expect(summary).toMatchObject({ status: 'completed', answer: '2' });
    const cells = nodes.filter((n) => n.kind === 'cell');
    expect(cells).toHaveLength(2);
    const last = await h.service.call('nodes.get', { runId, nodeId: cells[1]!.id });
    expect(last.notes).toEqual(['1 more block(s) of your reply were not run, because FINAL was called.']);
  });

  it('gives each RLM its own seeded sandbox: the same seed replays the same randomness', async () => {
    const handler: FakeHandler = (req) => (turn(req) === 0 ? { text: repl('print(Math.random())') } : { text: `FINAL(${lastUser(req).split('\n')[1]})` });
    harness = await startHarness(handler);
    const answers: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { runId } = await harness.service.call('runs.start', { query: 'q', inputs: [], seed: 1234 });
      answers.push((await harness.service.waitForRun(runId)).answer ?? '');
    }
    expect(answers[0]).toMatch(/^0\.\d+$/);
    expect(answers[1]).toBe(answers[0]);
  });

  it('runs code the model writes when asked for its final answer, and takes FINAL from it', async () => {
    const { summary } = await run(
      (req) => (lastUser(req).includes('You have used all') ? { text: repl('FINAL("from code at the limit")') } : { text: repl(`print(${turn(req)})`) }),
      'doc',
      { maxIterations: 1 },
    );
    expect(summary).toMatchObject({ status: 'completed', answer: 'from code at the limit', stopReason: 'max-iterations' });
  });

  it('does not count calls abandoned by a failed cell against the call limit', async () => {
    const code = 'await Promise.all(Array.from({ length: 30 }, (_, i) => (i === 0 ? Promise.reject(new Error("early")) : llm_query("p" + i))))';
    const { summary } = await run(
      (req) => (req.model === SUB ? { text: 'sub', delayMs: 50 } : turn(req) === 0 ? { text: repl(code) } : { text: 'FINAL(went on)' }),
      'doc',
      { concurrency: 1, maxCalls: 10 },
    );
    expect(summary).toMatchObject({ status: 'completed', answer: 'went on' });
    expect(summary.modelCalls).toBeLessThan(10);
  });

  it('runs at most four child RLMs of a depth at once', async () => {
    let inFlight = 0;
    let most = 0;
    let fourReached = (): void => undefined;
    const fourInFlight = new Promise<void>((resolve) => (fourReached = resolve));
    const { summary } = await run(async (req) => {
      if (queryOf(req).startsWith('child')) {
        inFlight++;
        most = Math.max(most, inFlight);
        if (inFlight === 4) fourReached();
        // Each child starts a sandbox process, which takes a while on a loaded machine: hold every
        // child until four are in flight (or 10 s have passed), then long enough for a fifth to
        // show up if the bound did not hold.
        await Promise.race([fourInFlight, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        await new Promise((resolve) => setTimeout(resolve, 300));
        inFlight--;
        return { text: 'FINAL(ok)' };
      }
      return { text: repl('const all = await Promise.all(Array.from({ length: 7 }, (_, i) => rlm_query("child " + i, "c"))); FINAL(all.join())') };
    });
    expect(summary).toMatchObject({ status: 'completed', answer: 'ok,ok,ok,ok,ok,ok,ok' });
    expect(most).toBe(4);
  });

  it("lets code pick the run's models only", async () => {
    const seen: string[] = [];
    const { summary } = await run((req) => {
      if (req.model !== ROOT || turn(req) > 0) seen.push(req.model);
      if (req.model === SUB || (req.model === ROOT && turn(req) === 0 && lastUser(req) === 'hard')) return { text: 'sub answer' };
      if (turn(req) === 0) return { text: repl('const a = await llm_query("hard", { model: "root-model" }); let b; try { await llm_query("x", { model: "gpt-expensive" }) } catch (e) { b = e.message } FINAL(a + " / " + b)') };
      return { text: 'FINAL(unexpected)' };
    });
    expect(summary.answer).toBe('sub answer / llm_query: model "gpt-expensive" is not one of this run\'s models (sub-model, root-model)');
    expect(seen).not.toContain('gpt-expensive');
  });

  it('announces a run before any of its steps', async () => {
    harness = await startHarness(() => ({ text: 'FINAL(x)' }));
    const { runId } = await harness.service.call('runs.start', { query: 'q', inputs: [] });
    await harness.service.waitForRun(runId);
    const types = harness.events.filter((e) => e.runId === runId).map((e) => e.type);
    expect(types[0]).toBe('run.started');
    expect(types.at(-1)).toBe('run.finished');
  });
});
