import { afterEach, describe, expect, it } from 'vitest';
import type { RlmEvent } from '../../shared/api';
import { decodeNodeIndex } from '../../shared/nodeIndex';
import type { FakeHandler } from '../fakeProvider/server';
import { sandboxChildren } from '../testing/processes';
import { lastUser, repl, startHarness, turn, type Harness } from '../testing/serviceHarness';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function start(handler: FakeHandler) {
  harness = await startHarness(handler);
  return harness;
}

describe('RlmService', () => {
  it('runs an RLM to its answer and records the tree, tokens and cost', async () => {
    const h = await start((req) => {
      if (turn(req) === 0) return { text: repl('const n = context.split("\\n").length;\nprint("lines:", n)'), usage: { prompt_tokens: 1000, completion_tokens: 100 } };
      return { text: `I have the count.\nFINAL(${/lines: (\d+)/.exec(lastUser(req))?.[1]} lines)`, usage: { prompt_tokens: 1200, completion_tokens: 20 } };
    });
    const { runId } = await h.service.call('runs.start', { query: 'How many lines?', inputs: [{ kind: 'text', name: 'doc.txt', text: 'a\nb\nc' }] });
    const summary = await h.service.waitForRun(runId);
    expect(summary).toMatchObject({ status: 'completed', answer: '3 lines', modelCalls: 2, iterations: 2, inputTokens: 2200, outputTokens: 120, maxDepthReached: 0 });
    expect(summary.costUsd).toBeCloseTo((2200 * 2 + 120 * 8) / 1e6, 10);
    const nodes = await h.service.call('runs.nodes', { runId });
    // The compact index the page loads holds exactly the same rows, whole or by pages.
    const whole = await h.service.call('runs.nodeIndex', { runId });
    expect(decodeNodeIndex(whole)).toEqual(nodes);
    expect(whole).toMatchObject({ complete: true, total: nodes.length, lastId: nodes.at(-1)?.id });
    const first = await h.service.call('runs.nodeIndex', { runId, limit: 2 });
    expect(first).toMatchObject({ complete: false, total: nodes.length, lastId: nodes[1]?.id });
    const rest = await h.service.call('runs.nodeIndex', { runId, afterId: first.lastId ?? 0, limit: 1000 });
    // A page after the first does not count the run's nodes again.
    expect(rest).toMatchObject({ complete: true, total: null });
    expect([...decodeNodeIndex(first), ...decodeNodeIndex(rest)]).toEqual(nodes);
    const past = await h.service.call('runs.nodeIndex', { runId, afterId: rest.lastId ?? 0 });
    expect(past).toMatchObject({ lastId: null, complete: true });
    expect(decodeNodeIndex(past)).toEqual([]);
    expect(nodes.map((n) => `${n.kind}:${n.purpose ?? ''}:${n.parentId}:${n.seq}`)).toEqual(['rlm::null:0', 'llm:turn:1:0', 'cell::1:1', 'llm:turn:1:2']);
    expect(nodes[0]?.subtree).toMatchObject({ modelCalls: 2, inputTokens: 2200, outputTokens: 120 });
    const cell = await h.service.call('nodes.get', { runId, nodeId: 3 });
    expect(cell).toMatchObject({ code: expect.stringContaining('context.split'), output: 'lines: 3\n' });
    // The root model never saw the document itself beyond the preview of the first turn.
    const firstPrompt = h.fake.requests[0]?.messages.map((m) => m.content).join('\n') ?? '';
    expect(firstPrompt).toContain('Your context is a string of 5 characters');
  });

  it('lets a second caller watch a live run and stop it: calls aborted, sandbox killed', async () => {
    let sawSlowCall: () => void = () => undefined;
    const slowCallStarted = new Promise<void>((resolve) => (sawSlowCall = resolve));
    const h = await start((req) => {
      if (req.model === 'sub-model') {
        sawSlowCall();
        return { hang: true };
      }
      return { text: repl('const answers = await llm_query_batched(["a", "b", "c"]); FINAL(answers.join())') };
    });
    const { runId } = await h.service.call('runs.start', { query: 'q', inputs: [{ kind: 'text', name: 'd', text: 'data' }] });
    const watched: RlmEvent[] = [];
    const unsubscribe = h.service.subscribe(runId, (event) => watched.push(event));
    await slowCallStarted;
    expect(sandboxChildren()).toHaveLength(1);
    const { status } = await h.service.call('runs.stop', { runId });
    // The sandbox process was killed, not left behind.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sandboxChildren()).toEqual([]);
    unsubscribe();
    expect(status).toBe('stopped');
    const summary = await h.service.call('runs.get', { runId });
    expect(summary).toMatchObject({ status: 'stopped', stopReason: 'user', answer: null });
    const nodes = await h.service.call('runs.nodes', { runId });
    expect(nodes.filter((n) => n.purpose === 'sub').every((n) => n.status === 'stopped')).toBe(true);
    expect(nodes.find((n) => n.kind === 'cell')?.status).toBe('stopped');
    expect(watched.some((e) => e.type === 'run.nodeAdded')).toBe(true);
    expect(watched.at(-1)).toMatchObject({ type: 'run.finished', summary: { status: 'stopped' } });
  });

  it('pauses between steps, steps one at a time, and resumes', async () => {
    const h = await start((req) => (turn(req) < 2 ? { text: repl(`print(${turn(req)})`) } : { text: 'FINAL(done)' }));
    const { runId } = await h.service.call('runs.start', { query: 'q', inputs: [] });
    expect(await h.service.call('runs.pause', { runId })).toEqual({ status: 'paused' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = (await h.service.call('runs.nodes', { runId })).length;
    await h.service.call('runs.step', { runId });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = (await h.service.call('runs.nodes', { runId })).length;
    expect(after).toBe(before + 1);
    expect((await h.service.call('runs.get', { runId })).status).toBe('paused');
    await h.service.call('runs.resume', { runId });
    expect(await h.service.waitForRun(runId)).toMatchObject({ status: 'completed', answer: 'done' });
  });

  it('validates every call and answers with error data', async () => {
    const h = await start(() => ({ text: 'FINAL(x)' }));
    await expect(h.service.call('runs.start', { query: '', inputs: [] })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(h.service.call('runs.start', { query: 'q', inputs: [], limits: { maxDepth: -1 } })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(h.service.call('runs.get', { runId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.service.call('runs.pause', { runId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.service.call('runs.start', { query: 'q', inputs: [{ kind: 'path', path: '/no/such/file' }] })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });

  it('in browser mode, refuses paths on the server: the page sends its files', async () => {
    harness = await startHarness(() => ({ text: 'FINAL(x)' }), { mode: 'browser' });
    const readable = harness.dbPath; // a file that exists and the user can read
    await expect(harness.service.call('runs.start', { query: 'q', inputs: [{ kind: 'path', path: readable }] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('browser mode'),
    });
    expect(await harness.service.call('runs.list', {})).toEqual([]);
    const { runId } = await harness.service.call('runs.start', { query: 'q', inputs: [{ kind: 'text', name: 'note', text: 'hello' }] });
    expect((await harness.service.waitForRun(runId)).answer).toBe('x');
  });
});
