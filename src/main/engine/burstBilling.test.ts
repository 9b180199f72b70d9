// Red team (issue 13): a batch's sub-calls end in bursts, committed together (commitBurst.ts),
// and the run's totals are moved only once a burst is committed. The cost limit must still hold
// against the provider's own bill, and the run must count every cent the provider billed.
import { afterEach, describe, expect, it } from 'vitest';
import { billedUsd } from '../testing/cliHarness';
import { isRootConversation, repl, startHarness, turn, type Harness } from '../testing/serviceHarness';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

describe('the cost limit against bursts of 32 sub-calls ending together', () => {
  it('is kept against the provider\'s bill, stops the run on max-cost, and the run counts what was billed', async () => {
    harness = await startHarness(
      (req) => {
        if (isRootConversation(req)) return { text: turn(req) === 0 ? repl('const a = await llm_query_batched(Array.from({ length: 400 }, (_, i) => "part " + i + " " + "w".repeat(2500)));\nFINAL(String(a.length));') : 'FINAL(went on)', usage: { prompt_tokens: 500, completion_tokens: 50 } };
        // All 32 in flight answer together: their ends join one burst. 2000 tokens: fewer than the prompt's bytes, as a real provider counts.
        return { text: 'ok', usage: { prompt_tokens: 2000, completion_tokens: 500 }, delayMs: 15 };
      },
      { limits: { concurrency: 32, maxCalls: 5000 } },
    );
    const h = harness;
    const { runId } = await h.service.call('runs.start', { query: 'q', inputs: [], limits: { maxCostUsd: 0.2, concurrency: 32 } });
    const summary = await h.service.waitForRun(runId);
    const billed = billedUsd(h.fake.ledger);
    expect(summary.stopReason).toBe('max-cost');
    expect(billed).toBeGreaterThan(0.05);
    expect(billed).toBeLessThanOrEqual(0.2);
    expect(summary.costUsd ?? 0).toBeLessThanOrEqual(0.2);
    // What the run shows is never below what the provider billed (aborted calls are charged at their worst).
    expect(summary.costUsd ?? 0).toBeGreaterThanOrEqual(billed - 1e-12);
    const nodes = await h.service.call('runs.nodes', { runId });
    const calls = nodes.filter((n) => n.kind === 'llm');
    expect(summary.costUsd ?? 0).toBeCloseTo(calls.reduce((sum, n) => sum + (n.costUsd ?? 0), 0), 12);
    expect(summary.inputTokens).toBe(calls.reduce((sum, n) => sum + (n.inputTokens ?? 0), 0));
    expect(calls.filter((n) => n.status === 'running')).toEqual([]);
  }, 120_000);
});
