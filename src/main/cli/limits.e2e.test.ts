// Every limit stops a run cleanly, end to end through `rlmscope run`: status `stopped`, the
// reason recorded, everything up to the stop persisted. Per-cell limits (time, memory) and
// run-aways are survived instead: the model is told and the run goes on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billedTokens, billedUsd, CliHarness } from '../testing/cliHarness';
import { lastUser, repl, SUB, turn } from '../testing/serviceHarness';

const h = new CliHarness();
let input = '';
beforeAll(async () => {
  await h.start();
  input = h.file('input.txt', 'some input text\n'.repeat(100));
});
afterAll(() => h.stop());

describe('limits', () => {
  it('asks for a best answer once at the iteration limit', async () => {
    const { result, json } = await h.run(
      (req) => (lastUser(req).includes('You have used all') ? { text: 'FINAL(best guess)' } : { text: repl(`print(${turn(req)})`) }),
      'q',
      [input],
      '--max-iterations', '3',
    );
    expect(result.code).toBe(0);
    expect(json).toMatchObject({ status: 'completed', answer: 'best guess', stopReason: 'max-iterations', iterations: 4, modelCalls: 4 });
    const shown = await h.show(json.runId as string);
    expect(shown.nodes.filter((n) => n.kind === 'cell')).toHaveLength(3);
  });

  it('stops at the call limit', async () => {
    const { result, json } = await h.run(
      (req) => (req.model === SUB ? { text: 'sub answer' } : { text: repl('const all = await llm_query_batched(Array.from({ length: 10 }, (_, i) => "p" + i)); FINAL(all.join())') }),
      'q',
      [input],
      '--max-calls', '5', '--concurrency', '1',
    );
    expect(result.code).toBe(1);
    expect(json).toMatchObject({ status: 'stopped', stopReason: 'max-calls', answer: null, modelCalls: 5 });
    expect(result.stderr).toMatch(/limit of 5 model calls/);
    const shown = await h.show(json.runId as string);
    expect(shown.nodes.filter((n) => n.purpose === 'sub' && n.status === 'completed')).toHaveLength(4);
    expect(shown.nodes[0]).toMatchObject({ kind: 'rlm', status: 'stopped', stopReason: 'max-calls' });
  });

  it('stops at the token limit before passing it', async () => {
    const { result, json, bills } = await h.run(
      (req) => ({ text: repl(`print(${turn(req)})`), usage: { prompt_tokens: 900, completion_tokens: 100 } }),
      'q',
      [input],
      '--max-tokens', '12000',
    );
    expect(json).toMatchObject({ status: 'stopped', stopReason: 'max-tokens' });
    expect(result.stderr).toMatch(/the next call could use up to [\d,]+ tokens; [\d,]+ of the limit of 12,000 tokens are left/);
    // What the provider billed stays within the limit, and the run shows all of it.
    const billed = billedTokens(bills);
    expect(billed).toBeLessThanOrEqual(12_000);
    expect((json.inputTokens as number) + (json.outputTokens as number)).toBe(billed);
    expect(json.modelCalls).toBeGreaterThan(3);
  });

  it('stops at the cost limit before passing it, counting priced calls', async () => {
    // About 1,000 prompt tokens a turn at $2 per million, the reply at $8: a few tenths of a cent.
    const { result, json, bills } = await h.run(
      (req) => ({ text: repl(`print(${turn(req)})`) }),
      'q',
      [input],
      '--max-cost', '0.03',
    );
    expect(json).toMatchObject({ status: 'stopped', stopReason: 'max-cost' });
    expect(result.stderr).toMatch(/the next call could cost up to \$[\d.]+; \$[\d.]+ of the \$0\.0300 limit is left/);
    const billed = billedUsd(bills);
    expect(billed).toBeLessThanOrEqual(0.03);
    expect(json.costUsd).toBeCloseTo(billed, 10);
    expect(json.modelCalls).toBeGreaterThan(3);
  });

  it('stops at the time limit, aborting a call in flight', async () => {
    const started = Date.now();
    const { json } = await h.run(
      (req) => (req.model === SUB ? { hang: true } : { text: repl('FINAL(await llm_query("never answered"))') }),
      'q',
      [input],
      '--max-seconds', '1.5',
    );
    expect(json).toMatchObject({ status: 'stopped', stopReason: 'max-seconds', answer: null });
    expect(Date.now() - started).toBeLessThan(15_000);
    const shown = await h.show(json.runId as string);
    expect(shown.nodes.find((n) => n.purpose === 'sub')).toMatchObject({ status: 'stopped' });
  });

  it('interrupts a cell that runs past its time and goes on', async () => {
    const { json } = await h.run(
      (req) => {
        if (turn(req) === 0) return { text: repl('const kept = 41;\nwhile (true) {}') };
        if (turn(req) === 1) return { text: repl('print(kept + 1)') };
        return { text: `FINAL(${lastUser(req).split('\n')[1]})` };
      },
      'q',
      [input],
      '--cell-timeout-ms', '300',
    );
    expect(json).toMatchObject({ status: 'completed', answer: '42' });
    const shown = await h.show(json.runId as string);
    const looped = shown.nodes.find((n) => n.kind === 'cell');
    expect(looped).toMatchObject({ status: 'failed', error: expect.stringMatching(/TimeoutError: .*300 ms/) });
  });

  it('survives an asynchronous run-away: a microtask loop and background calls', async () => {
    const { json } = await h.run(
      (req) => {
        if (req.model === SUB) return { text: 'bg' };
        if (turn(req) === 0) return { text: repl('(async () => { for (;;) await llm_query("again") })();\n(async () => { for (;;) await null })();\nawait new Promise(() => {})') };
        return { text: 'FINAL(still here)' };
      },
      'q',
      [input],
      '--cell-timeout-ms', '500',
    );
    expect(json).toMatchObject({ status: 'completed', answer: 'still here' });
    expect((json.modelCalls as number)).toBeLessThan(10);
  });

  it('kills a memory bomb, restores the variables and tells the model', async () => {
    const { json } = await h.run(
      (req) => {
        if (turn(req) === 0) return { text: repl('const summary = "kept across the restart";') };
        if (turn(req) === 1) return { text: repl('const hoard = []; for (;;) { const b = new ArrayBuffer(32 * 1024 * 1024); new Uint8Array(b).fill(7); hoard.push(b) }') };
        if (turn(req) === 2) return { text: lastUser(req).includes('restarted') ? repl('print(summary)') : 'FINAL(not told)' };
        return { text: `FINAL(${lastUser(req).split('\n')[1]})` };
      },
      'q',
      [input],
      '--sandbox-memory-mb', '300', '--cell-timeout-ms', '20000',
    );
    expect(json).toMatchObject({ status: 'completed', answer: 'kept across the restart' });
    const shown = await h.show(json.runId as string);
    const bomb = shown.nodes.filter((n) => n.kind === 'cell')[1];
    expect(bomb).toMatchObject({ status: 'failed', error: expect.stringMatching(/memory/) });
  }, 60_000);

  it('warns a model that repeats itself, then stops the run', async () => {
    const { result, json } = await h.run(() => ({ text: repl('print(context.length)') }), 'q', [input]);
    expect(result.code).toBe(1);
    expect(json).toMatchObject({ status: 'stopped', stopReason: 'runaway', iterations: 4 });
    const warned = h.fake.requests.at(-1)?.messages.at(-1)?.content ?? '';
    expect(warned).toMatch(/Your last 3 turns ran the same code/);
  });
});
