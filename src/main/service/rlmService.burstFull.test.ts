// Red team (issue 13): the disk fills while a batch's sub-calls end in bursts (commitBurst.ts).
// The run stops failed with the reason, no node is left running, nothing the store does not hold
// is told, and the run's totals are the sum of its nodes'.
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeRow } from '../../shared/domain/node';
import { isRootConversation, repl, startHarness, turn, type Harness } from '../testing/serviceHarness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const connectionOf = (harness: Harness): Database.Database => (harness.service as unknown as { db: Database.Database }).db;

describe('a full disk in the middle of a batch', () => {
  it('stops the run failed, tells nothing it did not store, and its totals are the sum of its nodes', async () => {
    let subRequests = 0;
    h = await startHarness(
      (req) => {
        if (isRootConversation(req)) return { text: turn(req) === 0 ? repl('const a = await llm_query_batched(Array.from({ length: 300 }, (_, i) => "part " + i));\nFINAL(String(a.length));') : 'FINAL(went on)' };
        if (++subRequests === 60) {
          const db = connectionOf(h!);
          db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
        }
        // Each reply needs pages of its own: the burst that ends it cannot be stored.
        return { text: 'z'.repeat(20_000), usage: { prompt_tokens: 10, completion_tokens: 3 }, delayMs: 5 };
      },
      { limits: { concurrency: 16, maxCalls: 5000 } },
    );
    const told = new Map<number, NodeRow>();
    h.service.subscribe(null, (event) => {
      if ((event.type === 'run.nodeUpdated' || event.type === 'run.nodeAdded') && event.node.kind === 'llm') told.set(event.node.id, event.node);
    });
    const started = await h.service.call('runs.start', { query: 'parts', inputs: [] });
    const summary = await h.service.waitForRun(started.runId);
    const requestsAtEnd = h.fake.requests.length;
    connectionOf(h).pragma('max_page_count = 4294967294');
    expect(summary).toMatchObject({ status: 'failed', stopReason: 'error', error: 'could not record the run: database or disk is full' });
    // No sub-call went out past those in flight when the disk filled.
    expect(subRequests).toBeLessThanOrEqual(60 + 16);
    expect(h.fake.requests.length).toBe(requestsAtEnd);
    const nodes = h.service.store.getNodes(started.runId);
    expect(nodes.filter((node) => node.status === 'running')).toEqual([]);
    const stored = new Map(nodes.map((node) => [node.id, node]));
    for (const node of told.values()) {
      expect(stored.has(node.id), `node ${node.id} was told but not stored`).toBe(true);
      if (node.status === 'completed') expect(stored.get(node.id)).toMatchObject({ status: 'completed', inputTokens: node.inputTokens, outputTokens: node.outputTokens, costUsd: node.costUsd });
    }
    const calls = nodes.filter((node) => node.kind === 'llm' && !node.cached);
    const run = h.service.store.getRun(started.runId);
    const sum = (pick: (node: NodeRow) => number | null) => calls.reduce((total, node) => total + (pick(node) ?? 0), 0);
    expect(run).toMatchObject({ inputTokens: sum((n) => n.inputTokens), outputTokens: sum((n) => n.outputTokens) });
    expect(run?.costUsd ?? 0).toBeCloseTo(sum((n) => n.costUsd ?? 0), 9);
    expect(run?.modelCalls).toBe(calls.filter((n) => (n.inputTokens ?? 0) > 0).length);
  }, 120_000);
});
