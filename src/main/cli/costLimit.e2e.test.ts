// A cost or token limit is a promise against what the provider bills (DESIGN §4), end to end
// through `rlmscope run`: the fake provider's ledger is the bill, priced at the test prices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli';
import { billedTokens, billedUsd, CliHarness } from '../testing/cliHarness';
import { repl, SUB } from '../testing/serviceHarness';

const h = new CliHarness();
let input = '';
beforeAll(async () => {
  await h.start();
  input = h.file('input.txt', 'some input text\n'.repeat(100));
});
afterAll(() => h.stop());

/** 80 sub-calls at concurrency 8, each answering 20,000 characters (5,000 tokens, $0.005). */
const fanOut = (req: { model: string }) =>
  req.model === SUB
    ? { text: 'x'.repeat(20_000), delayMs: 30 }
    : { text: repl('const all = await llm_query_batched(Array.from({ length: 80 }, (_, i) => "part " + i)); FINAL(all.length)') };

describe('cost and token limits against the bill', () => {
  it('holds a cost limit at concurrency 8: billed ≤ limit, and the run shows what was billed', async () => {
    const { result, json, bills } = await h.run(fanOut, 'q', [input], '--max-cost', '0.2', '--concurrency', '8');
    expect(json).toMatchObject({ status: 'stopped', stopReason: 'max-cost' });
    expect(result.stderr).toMatch(/the next call could cost up to \$[\d.]+; \$[\d.]+ of the \$0\.200 limit is left/);
    const billed = billedUsd(bills);
    expect(billed).toBeLessThanOrEqual(0.2);
    // Most of the budget was used: the limit did not stop the run early.
    expect(billed).toBeGreaterThan(0.15);
    // The run's figure is never below the bill; above it only by the estimates of aborted calls.
    const cost = json.costUsd as number;
    expect(cost).toBeGreaterThanOrEqual(billed - 1e-12);
    expect(cost - billed).toBeLessThan(0.002);
    // Calls were in flight together: the limit did not hold by running one at a time.
    expect(bills.filter((b) => b.model === SUB).length).toBeGreaterThan(20);
  });

  it('holds a token limit at concurrency 8 the same way', async () => {
    const { json, bills } = await h.run(fanOut, 'q', [input], '--max-tokens', '150000', '--concurrency', '8');
    expect(json).toMatchObject({ status: 'stopped', stopReason: 'max-tokens' });
    const billed = billedTokens(bills);
    expect(billed).toBeLessThanOrEqual(150_000);
    expect(billed).toBeGreaterThan(100_000);
    const tokens = (json.inputTokens as number) + (json.outputTokens as number);
    expect(tokens).toBeGreaterThanOrEqual(billed);
    expect(tokens - billed).toBeLessThan(5_000);
  });

  it('refuses a cost limit over a model with no price before any request', async () => {
    const before = h.fake.requests.length;
    const result = await runCli([...h.runArgs('q', [input], '--max-cost', '1'), '--sub-model', 'mystery-model']);
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    // What `run` says it uses comes first; the refusal is one line, the last.
    expect(lines.filter((line) => line.includes('price'))).toHaveLength(1);
    // Without --json either: no progress line for a run that never started, the refusal last.
    const plain = await runCli([...h.runArgs('q', [input], '--max-cost', '1'), '--sub-model', 'mystery-model'].filter((arg) => arg !== '--json'));
    expect(plain.stderr).not.toMatch(/calls · /);
    expect(plain.stderr.trim().split('\n').at(-1)).toMatch(/mystery-model has no known price/);
    expect(lines.at(-1)).toMatch(/mystery-model has no known price, so the cost limit cannot be kept: give it a price with --prices FILE, or in Settings → Prices/);
    expect(h.fake.requests.length).toBe(before);
  });

  it('runs an unpriced model when no cost limit is set, its cost shown as unknown', async () => {
    const { json } = await h.run(() => ({ text: 'FINAL(done)' }), 'q', [input], '--root-model', 'mystery-model');
    expect(json).toMatchObject({ status: 'completed', answer: 'done', costUsd: null });
  });
});
