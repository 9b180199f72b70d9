// What the provider billed for a call is what the run records, retried and aborted attempts
// included (DESIGN §4): the fake provider's ledger against the run's nodes and totals, through
// the real service, sandbox and model client.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../../shared/domain/node';
import type { FakeHandler, FakeRequest } from '../fakeProvider/server';
import { billedUsd } from '../testing/cliHarness';
import { repl, ROOT, startHarness, SUB, turn, type Harness } from '../testing/serviceHarness';
import { PriceTable } from '../model/prices';
import { OUTPUT_CAP } from './budget';
import { inputTokenBound } from './tokenBound';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function start(handler: FakeHandler, limits = {}) {
  harness = await startHarness(handler);
  const h = harness;
  const { runId } = await h.service.call('runs.start', { query: 'q', inputs: [{ kind: 'text', name: 'doc', text: 'the document' }], limits });
  return { h, runId };
}

async function finish(h: Harness, runId: string) {
  const summary = await h.service.waitForRun(runId);
  const nodes = await h.service.call('runs.nodes', { runId });
  const sub = nodes.find((n) => n.purpose === 'sub');
  return { summary, nodes, sub };
}

const askSub = (req: FakeRequest) => (turn(req) === 0 ? { text: repl('FINAL(await llm_query("sub please"))') } : { text: 'FINAL(again)' });

describe('billing', () => {
  it('counts an attempt whose stream was cut, and the retry that answered', async () => {
    let subRequests = 0;
    const { h, runId } = await start((req) => {
      if (req.model !== SUB) return askSub(req);
      subRequests++;
      return subRequests === 1 ? { cut: true, text: 'y'.repeat(400), afterChars: 200 } : { text: 'fine' };
    });
    const { summary, sub } = await finish(h, runId);
    expect(summary).toMatchObject({ status: 'completed', answer: 'fine' });
    const bills = h.fake.ledger.filter((b) => b.model === SUB);
    expect(bills.map((b) => b.finish)).toEqual(['cut', 'stop']);
    // The cut attempt sent 200 characters: 50 tokens billed, and its prompt.
    expect(bills[0]?.completionTokens).toBe(50);
    expect(sub).toMatchObject({ status: 'completed', usageEstimated: true });
    expect(sub?.inputTokens).toBeGreaterThanOrEqual(bills.reduce((s, b) => s + b.promptTokens, 0) * 2 - 1);
    expect(sub?.outputTokens).toBeGreaterThanOrEqual(bills.reduce((s, b) => s + b.completionTokens, 0));
    const billed = billedUsd(h.fake.ledger);
    expect(summary.costUsd).toBeGreaterThanOrEqual(billed);
    expect((summary.costUsd as number) - billed).toBeLessThan(0.001);
  });

  it('does not count a 429 that generated nothing', async () => {
    let subRequests = 0;
    const { h, runId } = await start((req) => {
      if (req.model !== SUB) return askSub(req);
      subRequests++;
      return subRequests === 1 ? { status: 429, retryAfterMs: 10 } : { text: 'fine', usage: { prompt_tokens: 7, completion_tokens: 3 } };
    });
    const { summary, sub } = await finish(h, runId);
    expect(summary).toMatchObject({ status: 'completed', answer: 'fine' });
    expect(h.fake.requests.filter((r) => r.model === SUB)).toHaveLength(2);
    expect(h.fake.ledger.filter((b) => b.model === SUB)).toHaveLength(1);
    expect(sub).toMatchObject({ inputTokens: 7, outputTokens: 3, usageEstimated: false });
    expect(summary.costUsd).toBeCloseTo(billedUsd(h.fake.ledger), 12);
  });

  it('counts a call aborted by a stop: the node and the run show what it was billed', async () => {
    const { h, runId } = await start((req) =>
      req.model === SUB ? { text: 'z'.repeat(4000), chunkChars: 16, chunkDelayMs: 20 } : askSub(req),
    );
    // Stop once the sub-call's reply has started to arrive: the provider is generating it.
    let stopped = false;
    h.service.subscribe(runId, (event) => {
      if (stopped || event.type !== 'run.replyStreamed' || !event.delta.startsWith('z')) return;
      stopped = true;
      void h.service.call('runs.stop', { runId });
    });
    const { summary, sub } = await finish(h, runId);
    expect(summary).toMatchObject({ status: 'stopped', stopReason: 'user' });
    // The fake provider hears of the hang-up a moment later; it bills nothing after it.
    await vi.waitFor(() => expect(h.fake.ledger.find((b) => b.model === SUB)).toMatchObject({ finish: 'aborted' }));
    const bill = h.fake.ledger.find((b) => b.model === SUB);
    expect(bill?.completionTokens).toBeGreaterThan(0);
    expect(bill?.completionTokens).toBeLessThan(1000);
    expect(sub).toMatchObject({ status: 'stopped', usageEstimated: true });
    expect(sub?.inputTokens).toBeGreaterThanOrEqual(bill?.promptTokens ?? Infinity);
    expect(sub?.outputTokens).toBeGreaterThanOrEqual(bill?.completionTokens ?? Infinity);
    expect(summary.modelCalls).toBe(2);
    const billed = billedUsd(h.fake.ledger);
    expect(summary.costUsd).toBeGreaterThanOrEqual(billed);
    expect((summary.costUsd as number) - billed).toBeLessThan(0.001);
  });

  it('charges a whole reply asked for by a batch and aborted by a stop at its full output cap', async () => {
    // A reply asked for whole shows nothing before it is done: the provider may have generated
    // all of it, so the run counts the most it can have cost.
    let runId = '';
    const { h, runId: id } = await start((req) => {
      if (req.model !== SUB) return turn(req) === 0 ? { text: repl('FINAL((await llm_query_batched(["one"]))[0])') } : { text: 'FINAL(again)' };
      void harness?.service.call('runs.stop', { runId });
      return { hang: true };
    }, { maxCostUsd: 1 });
    runId = id;
    const { summary, sub } = await finish(h, runId);
    expect(summary).toMatchObject({ status: 'stopped', stopReason: 'user' });
    const cap = h.fake.requests.find((r) => r.model === SUB)?.maxOutputTokens;
    expect(cap).toBe(OUTPUT_CAP);
    expect(sub).toMatchObject({ status: 'stopped', usageEstimated: true, outputTokens: OUTPUT_CAP });
    expect(summary.costUsd).toBeGreaterThanOrEqual(billedUsd(h.fake.ledger));
  });

  it('keeps a cost limit when cached input is priced above input', async () => {
    // A price table may say so (a cache write priced as a read, or a typo): the reservation must
    // hold the dearer of the two, or a reply that reports its prompt as cached passes the limit.
    const prices = PriceTable.withDefaults({ [ROOT]: { input: 1, cachedInput: 100, output: 1 }, [SUB]: { input: 0.5, output: 1 } });
    harness = await startHarness(() => ({ text: 'FINAL(done)', usage: { prompt_tokens: 1000, cached_tokens: 1000, completion_tokens: 10 } }), { prices });
    const h = harness;
    const { runId } = await h.service.call('runs.start', { query: 'q', inputs: [{ kind: 'text', name: 'doc', text: 'the document' }], limits: { maxCostUsd: 0.05 } });
    const summary = await h.service.waitForRun(runId);
    const billed = h.fake.ledger.reduce((sum, b) => sum + ((b.promptTokens - b.cachedTokens) * 1 + b.cachedTokens * 100 + b.completionTokens) / 1e6, 0);
    expect(billed).toBeLessThanOrEqual(0.05);
    expect(summary.costUsd ?? 0).toBeLessThanOrEqual(0.05);
  });

  it('counts a cut attempt of a call that the run stops before its retry answers', async () => {
    let subRequests = 0;
    let runId = '';
    const { h, runId: id } = await start((req) => {
      if (req.model !== SUB) return askSub(req);
      subRequests++;
      if (subRequests === 1) return { cut: true, text: 'y'.repeat(400), afterChars: 200 };
      // The retry waits on a 429; the run is stopped meanwhile.
      void harness?.service.call('runs.stop', { runId });
      return { status: 429, retryAfterMs: 5000 };
    }, { maxCostUsd: 1 });
    runId = id;
    const { summary, sub } = await finish(h, runId);
    expect(summary).toMatchObject({ status: 'stopped' });
    const billed = billedUsd(h.fake.ledger);
    expect(h.fake.ledger.filter((b) => b.model === SUB)).toHaveLength(1);
    expect(sub).toMatchObject({ status: 'stopped', usageEstimated: true });
    expect(summary.costUsd).toBeGreaterThanOrEqual(billed);
  });

  it('counts a whole-reply attempt whose connection was reset before the reply came', async () => {
    // A batched sub-call asks for the whole reply: the provider generates it all before the
    // response starts, so a reset then (a proxy's idle timeout) may be billed in full.
    let subRequests = 0;
    const { h, runId } = await start((req) => {
      if (req.model !== SUB) return turn(req) === 0 ? { text: repl('FINAL((await llm_query_batched(["one"]))[0])') } : { text: 'FINAL(again)' };
      subRequests++;
      return subRequests === 1 ? { cut: true, text: 'y'.repeat(400), afterChars: 0 } : { text: 'fine' };
    }, { maxCostUsd: 1 });
    const { summary, sub } = await finish(h, runId);
    expect(summary).toMatchObject({ status: 'completed', answer: 'fine' });
    expect(h.fake.ledger.filter((b) => b.model === SUB).map((b) => b.finish)).toEqual(['cut', 'stop']);
    expect(sub).toMatchObject({ status: 'completed', usageEstimated: true });
    expect(summary.costUsd).toBeGreaterThanOrEqual(billedUsd(h.fake.ledger));
  });

  it('sends the output cap only under a limit, lowered to what the budget leaves', async () => {
    const { h, runId } = await start((req) => (req.model === SUB ? { text: 'fine' } : askSub(req)), { maxTokens: 12_000 });
    const { summary } = await finish(h, runId);
    expect(summary).toMatchObject({ status: 'completed', answer: 'fine' });
    const [root, sub] = h.fake.requests;
    const [rootBill] = h.fake.ledger;
    if (!root || !sub || !rootBill) throw new Error('expected a root turn and a sub-call');
    const asSent = (messages: { role: string; content: string }[]) => messages as ChatMessage[];
    expect(root.maxOutputTokens).toBe(12_000 - inputTokenBound(asSent(root.messages)));
    // The sub-call came after the root turn settled: what it billed is spent, the rest free again.
    const spent = rootBill.promptTokens + rootBill.completionTokens;
    expect(sub.maxOutputTokens).toBe(Math.min(OUTPUT_CAP, 12_000 - spent - inputTokenBound(asSent(sub.messages))));
    expect(root.body).toHaveProperty('max_completion_tokens');
    const unlimited = await h.service.call('runs.start', { query: 'q', inputs: [{ kind: 'text', name: 'doc', text: 'x' }] });
    await h.service.waitForRun(unlimited.runId);
    expect(h.fake.requests.at(-1)?.body).not.toHaveProperty('max_completion_tokens');
    expect(h.fake.requests.at(-1)?.body).not.toHaveProperty('max_tokens');
  });
});
