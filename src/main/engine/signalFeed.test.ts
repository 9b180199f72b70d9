// The run-away signals fed from a real run (issue 13): the engine over the fake provider, the
// real sandbox and a real database file. What the detector sees, the run keeps and tells.
import { afterEach, describe, expect, it } from 'vitest';
import type { RlmEvent } from '../../shared/api';
import { openRunReader } from '../store/runReader';
import { isRootConversation, lastUser, repl, startHarness, turn, type Harness } from '../testing/serviceHarness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Each sub-call costs 0.05 + 0.1 USD at the harness's sub-model price (0.5 and 1 USD per million). */
const SUB_USAGE = { prompt_tokens: 100_000, completion_tokens: 100_000 };
const SUB_CALL_USD = 0.15;

async function runWithPrompts(prompts: string[]) {
  const code = `for (const p of ${JSON.stringify(prompts)}) print(await llm_query(p));`;
  h = await startHarness((req) => {
    if (!isRootConversation(req)) return { text: `answer to ${lastUser(req).slice(0, 20)}`, usage: SUB_USAGE };
    return { text: turn(req) === 0 ? repl(code) : 'FINAL(done)' };
  });
  const { runId } = await h.service.call('runs.start', { query: 'ask', inputs: [{ kind: 'text', name: 'x', text: 'x' }] });
  const summary = await h.service.waitForRun(runId);
  const detail = await h.service.call('runs.get', { runId });
  const told = h.events.filter((event): event is Extract<RlmEvent, { type: 'run.signalsChanged' }> => event.type === 'run.signalsChanged' && event.runId === runId);
  return { runId, summary, detail, told };
}

describe('run-away signals from a real run', () => {
  it('flags the same sub-call prompt sent four times, with what the three copies cost, kept with the run and told', async () => {
    const { runId, summary, detail, told } = await runWithPrompts(['same question', 'same question', 'same question', 'same question']);
    expect(summary.status).toBe('completed');
    const expected = {
      kind: 'duplicate-subcalls',
      nodeId: expect.any(Number) as number,
      message: expect.stringContaining('3 sub-calls repeated an earlier (model, prompt): 1 prompt sent more than once, one up to 4 times.') as string,
      costUsd: expect.closeTo(3 * SUB_CALL_USD, 9) as number,
    };
    expect(summary.signals).toEqual([expected]);
    expect(detail.signals).toEqual([expected]);
    // The flag belongs on the cell that made the calls.
    const cell = (await h!.service.call('runs.nodes', { runId })).find((node) => node.kind === 'cell');
    expect(summary.signals?.[0]?.nodeId).toBe(cell?.id);
    // Told while the run went on and once at its end, each time the whole set; the last is the kept one.
    expect(told.length).toBeGreaterThanOrEqual(2);
    expect(told.at(-1)?.signals).toEqual(summary.signals);
    expect(told.every((event) => event.signals.every((signal) => signal.kind === 'duplicate-subcalls'))).toBe(true);
    // And in the file, for a reader in another process.
    const reader = openRunReader(h!.dbPath);
    try {
      expect(reader.getRun(runId)?.signals).toEqual([expected]);
    } finally {
      reader.close();
    }
  }, 60_000);

  it('keeps no signals for a healthy run of the same size, and tells the empty set once at its end', async () => {
    const { summary, detail, told } = await runWithPrompts(['first question', 'second question', 'third question', 'fourth question']);
    expect(summary.status).toBe('completed');
    expect(summary.signals).toEqual([]);
    expect(detail.signals).toEqual([]);
    expect(told.map((event) => event.signals)).toEqual([[]]);
  }, 60_000);

  it('flags a root that runs the same code three turns in a row, at the first turn\'s cell, before the guard stops it', async () => {
    h = await startHarness((req) => {
      if (!isRootConversation(req)) return { text: 'x' };
      return { text: turn(req) < 3 ? repl('print("still looking")') : 'FINAL(found)' };
    });
    const { runId } = await h.service.call('runs.start', { query: 'loop', inputs: [{ kind: 'text', name: 'x', text: 'x' }] });
    const summary = await h.service.waitForRun(runId);
    expect(summary.status).toBe('completed');
    const firstCell = (await h.service.call('runs.nodes', { runId })).find((node) => node.kind === 'cell');
    expect(summary.signals).toEqual([
      { kind: 'repetition', nodeId: firstCell?.id, message: expect.stringMatching(/^The root RLM ran the same code 3 turns in a row; the turns since the first cost \$/) as string, costUsd: expect.any(Number) as number },
    ]);
  }, 60_000);

  it('flags an answer printed and then set aside for more sub-calls, and not one that is returned after all', async () => {
    const run = async (final: string) => {
      h = await startHarness((req) => {
        if (!isRootConversation(req)) return { text: 'more', usage: SUB_USAGE };
        const steps = [repl('print("Answer: 42")'), repl('for (const q of ["a?", "b?", "c?"]) print(await llm_query(q));'), `FINAL(${final})`];
        return { text: steps[turn(req)] ?? 'FINAL(late)' };
      });
      const { runId } = await h.service.call('runs.start', { query: 'answer', inputs: [{ kind: 'text', name: 'x', text: 'x' }] });
      const summary = await h.service.waitForRun(runId);
      const firstCell = (await h.service.call('runs.nodes', { runId })).find((node) => node.kind === 'cell');
      await h.close();
      h = undefined;
      return { summary, firstCell };
    };
    const dropped = await run('something else');
    expect(dropped.summary.signals).toEqual([
      {
        kind: 'answer-discarded',
        nodeId: dropped.firstCell?.id,
        message: expect.stringMatching(/^Heuristic: a cell produced what looks like an answer \("42"\), then the root RLM made 3 more sub-calls and returned another answer;/) as string,
        costUsd: expect.any(Number) as number,
      },
    ]);
    // The three sub-calls at 0.15 each, and the root's turns after the candidate.
    expect(dropped.summary.signals?.[0]?.costUsd).toBeGreaterThanOrEqual(3 * SUB_CALL_USD - 1e-9);
    expect((await run('The answer is 42.')).summary.signals).toEqual([]);
  }, 60_000);

  it('publishes hundreds of changes at most every 250 ms, whatever their count', async () => {
    const prompts = Array.from({ length: 300 }, () => 'same again');
    const code = `await llm_query_batched(${JSON.stringify(prompts)}); print('ok');`;
    h = await startHarness((req) => {
      if (!isRootConversation(req)) return { text: 'x', usage: SUB_USAGE, delayMs: 5 };
      return { text: turn(req) === 0 ? repl(code) : 'FINAL(done)' };
    });
    const started = Date.now();
    const { runId } = await h.service.call('runs.start', { query: 'batch', inputs: [{ kind: 'text', name: 'x', text: 'x' }] });
    const summary = await h.service.waitForRun(runId);
    const told = h.events.filter((event) => event.type === 'run.signalsChanged' && event.runId === runId);
    // 299 copies change the message 299 times; the run lasts a few seconds at most.
    expect(told.length).toBeLessThanOrEqual(2 + Math.ceil((Date.now() - started) / 250));
    expect(summary.signals?.[0]?.message).toContain('299 sub-calls repeated an earlier (model, prompt)');
    expect(summary.signals?.[0]?.costUsd).toBeCloseTo(299 * SUB_CALL_USD, 6);
  }, 60_000);
});
