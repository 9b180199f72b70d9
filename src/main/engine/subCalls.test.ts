// Issue 9, "synchronous work on the parent for sandbox requests": rlm_query('q', <1,000,000
// small strings>) blocked the parent for about two minutes storing each item as a document, got
// the root sandbox killed by its watchdog and grew the database by 688 MB. A real run: the fake
// provider's models, the real sandbox, a real database file.
import { afterEach, describe, expect, it } from 'vitest';
import { isRootConversation, repl, startHarness, turn, type Harness } from '../testing/serviceHarness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function runWithParts(parts: number) {
  const code = `const parts = Array.from({ length: ${parts} }, (_, i) => 'item ' + i);
try { print('child said:', await rlm_query('count them', parts)); } catch (e) { print('refused:', e.message); }`;
  h = await startHarness((req) => {
    if (!isRootConversation(req)) return { text: 'FINAL(child answer)' };
    return { text: turn(req) === 0 ? repl(code) : 'FINAL(done)' };
  });
  const started = Date.now();
  const { runId } = await h.service.call('runs.start', { query: 'parts', inputs: [{ kind: 'text', name: 'x', text: 'x' }], limits: { maxDepth: 1 } });
  const summary = await h.service.waitForRun(runId);
  const nodes = await h.service.call('runs.nodes', { runId });
  const cell = nodes.find((node) => node.kind === 'cell');
  const output = cell ? ((await h.service.call('nodes.get', { runId, nodeId: cell.id })).output ?? '') : '';
  return { summary, nodes, output, ms: Date.now() - started };
}

describe('rlm_query with a context of many parts', () => {
  it('refuses a million parts at once, with a message the model can act on, and the run goes on', async () => {
    const { summary, output, ms, nodes } = await runWithParts(1_000_000);
    expect(output).toContain('refused: rlm_query: a context of 1,000,000 parts is more than 10,000; join small parts into larger strings');
    expect(summary).toMatchObject({ status: 'completed', answer: 'done' });
    expect(nodes.filter((node) => node.kind === 'rlm')).toHaveLength(1);
    expect(ms).toBeLessThan(30_000);
  }, 120_000);

  it('stores ten thousand small parts as one document, quickly', async () => {
    const { summary, output, nodes, ms } = await runWithParts(10_000);
    expect(output).toContain('child said: child answer');
    expect(summary).toMatchObject({ status: 'completed', answer: 'done' });
    const child = nodes.find((node) => node.kind === 'rlm' && node.depth === 1);
    expect(child).toBeDefined();
    const payload = await h!.service.call('nodes.get', { runId: summary.runId, nodeId: child!.id });
    expect(payload.documents).toHaveLength(1);
    expect(ms).toBeLessThan(30_000);
  }, 120_000);
});
