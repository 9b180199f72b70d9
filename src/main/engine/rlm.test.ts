// The RLM loop's conversation rules, through the real service, sandbox and fake provider.
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeHandler } from '../fakeProvider/server';
import { lastUser, repl, startHarness, turn, type Harness } from '../testing/serviceHarness';

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
});
