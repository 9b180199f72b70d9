// Acting on one branch of a live run (issue 13): a second caller — the page's own WebSocket
// client, as another browser tab would be — stops one child RLM while the rest of the run goes
// on, and sends another a note it reads at its next turn. Real service, real SQLite file, real
// sandbox processes, the fake provider over loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { NodeRow } from '../../shared/domain/node';
// eslint-disable-next-line no-restricted-imports -- the page's own client, as a second caller of the same service.
import { createWebSocketApi, type SocketLike, type WebSocketApi } from '../../renderer/api/wsClient';
import type { FakeHandler, FakeRequest } from '../fakeProvider/server';
import { startBrowserServer, type BrowserServer } from '../server/browserServer';
import { eventually, makeRendererDir, pageHeaders, wsUrl } from '../testing/browserServerFixtures';
import { sandboxChildren } from '../testing/processes';
import { lastUser, queryOf, repl, ROOT, startHarness, storedTree, SUB, turn, type Harness } from '../testing/serviceHarness';

let harness: Harness | null = null;
let server: BrowserServer | null = null;
let tab: WebSocketApi | null = null;
afterEach(async () => {
  tab?.close();
  await server?.close();
  await harness?.close();
  tab = null;
  server = null;
  harness = null;
});

/** The service, and a second client of it over browser mode's WebSocket. */
async function start(handler: FakeHandler): Promise<{ h: Harness; tab: WebSocketApi }> {
  harness = await startHarness(handler);
  server = await startBrowserServer({ api: harness.service, rendererDir: makeRendererDir().rendererDir, port: 0, log: () => undefined });
  const s = server;
  tab = createWebSocketApi(wsUrl(s), { socket: (url) => new WebSocket(url, { headers: pageHeaders(s) }) as unknown as SocketLike });
  return { h: harness, tab };
}

/** A promise and its resolve, for the fake provider to wait on the test. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const ROOT_CODE = 'const [a, b] = await Promise.all([rlm_query("child A", "text a"), rlm_query("child B", "text b")]); FINAL(a + " | " + b)';
const NOTE = 'Look only at the first line, please.';

function conversation(fake: Harness['fake'], query: string): FakeRequest[] {
  return fake.requests.filter((req) => req.model === SUB && queryOf(req) === query);
}

async function rlmNode(h: Harness, runId: string, query: string): Promise<NodeRow> {
  const nodes = await h.service.call('runs.nodes', { runId });
  const node = nodes.find((n) => n.kind === 'rlm' && n.label === query);
  if (!node) throw new Error(`no RLM node for ${query}`);
  return node;
}

describe('acting on one branch of a live run', () => {
  it('stops one child RLM from a second caller while the rest of the run goes on, and delivers a note to another', async () => {
    const aAsked = gate();
    const bAsked = gate();
    const bGoOn = gate();
    const bLastAsked = gate();
    const bFinish = gate();
    const { h, tab } = await start(async (req) => {
      if (req.model === ROOT) return turn(req) === 0 ? { text: repl(ROOT_CODE) } : { text: 'FINAL(root went on)' };
      if (queryOf(req) === 'child A') {
        aAsked.open();
        return { hang: true }; // a slow reply: answered only by the abort
      }
      if (turn(req) === 0) {
        bAsked.open();
        await bGoOn.opened;
        return { text: repl('print("b looked")') };
      }
      bLastAsked.open();
      await bFinish.opened;
      return { text: 'FINAL(B done)' };
    });
    const { runId } = await h.service.call('runs.start', { query: 'two children', inputs: [{ kind: 'text', name: 'd', text: 'data' }] });
    await Promise.all([aAsked.opened, bAsked.opened]);
    const a = await rlmNode(h, runId, 'child A');
    const b = await rlmNode(h, runId, 'child B');
    await eventually(() => sandboxChildren().length === 3);

    // B is waiting on its first reply: the note is for its next turn.
    expect(await tab.call('runs.noteRlm', { runId, nodeId: b.id, text: `  ${NOTE}\n` })).toEqual({ queued: true });
    expect(await tab.call('runs.stopRlm', { runId, nodeId: a.id })).toEqual({ stopped: true });

    // A ended stopped, by the user, the moment the call returned; the run did not.
    const aNode = (await h.service.call('runs.nodes', { runId })).find((n) => n.id === a.id);
    expect(aNode?.status).toBe('stopped');
    expect(await h.service.call('nodes.get', { runId, nodeId: a.id })).toMatchObject({ stopReason: 'user', error: 'stopped by the user' });
    expect((await h.service.call('runs.get', { runId })).status).toBe('running');
    // Its sandbox process is gone (root's and B's remain); its request in flight was aborted.
    await eventually(() => sandboxChildren().length === 2);
    const aRequest = conversation(h.fake, 'child A')[0]!;
    await eventually(() => h.fake.ledger.some((bill) => bill.index === aRequest.index && bill.finish === 'aborted'));
    const aCall = (await h.service.call('runs.nodes', { runId })).find((n) => n.parentId === a.id && n.kind === 'llm');
    expect(aCall?.status).toBe('stopped');

    bGoOn.open();
    await bLastAsked.opened;
    // A second note, sent while B's last turn is in flight: B never reads it, and its node says so.
    expect(await tab.call('runs.noteRlm', { runId, nodeId: b.id, text: 'too late' })).toEqual({ queued: true });
    bFinish.open();

    const summary = await h.service.waitForRun(runId);
    expect(summary).toMatchObject({ status: 'completed', stopReason: null, answer: `Error: the user stopped this child RLM (node ${a.id}) | B done` });

    // The note reached B's second turn, as a user message, and nothing else.
    const [bFirst, bSecond] = conversation(h.fake, 'child B');
    expect(bFirst?.messages.some((m) => m.content.includes(NOTE))).toBe(false);
    expect(bSecond?.messages.filter((m) => m.role === 'user' && m.content === `Note from the user: ${NOTE}`)).toHaveLength(1);
    expect(bSecond?.messages.at(-1)).toEqual({ role: 'user', content: `Note from the user: ${NOTE}` });
    const elsewhere = h.fake.requests.filter((req) => queryOf(req) !== 'child B');
    expect(elsewhere.length).toBeGreaterThan(0);
    expect(elsewhere.some((req) => req.messages.some((m) => m.content.includes(NOTE)))).toBe(false);
    expect(h.fake.requests.some((req) => req.messages.some((m) => m.content.includes('too late')))).toBe(false);

    // Recorded: in the prompt of B's second turn, and on B's node.
    const tree = storedTree(h.dbPath, runId);
    const bTurns = tree.filter((n) => n.parentId === b.id && n.kind === 'llm');
    expect(bTurns[1]?.payload.prompt?.at(-1)).toEqual({ role: 'user', content: `Note from the user: ${NOTE}` });
    expect(tree.find((n) => n.id === b.id)?.payload.notes).toEqual([
      "a note from the user was delivered at turn 2 (in that turn's prompt)",
      'a note from the user arrived after its last turn and was not delivered',
    ]);
    expect(tree.find((n) => n.id === b.id)).toMatchObject({ status: 'completed', payload: { answer: 'B done' } });

    // Everything billed is recorded, A's aborted request included, and the totals agree.
    const calls = tree.filter((n) => n.kind === 'llm');
    expect(summary.modelCalls).toBe(calls.filter((n) => n.inputTokens !== null).length);
    expect(summary.inputTokens).toBe(calls.reduce((sum, n) => sum + (n.inputTokens ?? 0), 0));
    expect(summary.outputTokens).toBe(calls.reduce((sum, n) => sum + (n.outputTokens ?? 0), 0));
    expect(summary.costUsd).toBeCloseTo(calls.reduce((sum, n) => sum + (n.costUsd ?? 0), 0), 12);
    expect(tree[0]?.subtree).toMatchObject({ modelCalls: summary.modelCalls, inputTokens: summary.inputTokens, outputTokens: summary.outputTokens });
    const billed = h.fake.ledger.reduce((sum, bill) => sum + bill.promptTokens, 0);
    expect(summary.inputTokens).toBeGreaterThanOrEqual(billed);

    // A run steered by hand cannot be re-executed the same way, and says why.
    const detail = await h.service.call('runs.get', { runId });
    expect(detail).toMatchObject({ replayable: false, replayableWhy: `the user stopped RLM node ${a.id} and sent notes to RLM node ${b.id} while it ran, which a re-execution would not do again` });
    await expect(h.service.call('runs.replay', { runId })).rejects.toThrow(/cannot be replayed exactly: the user stopped RLM node/);
    await expect(h.service.call('runs.fork', { runId })).rejects.toThrow(/cannot be forked .*: the user stopped RLM node/);
    expect(sandboxChildren()).toEqual([]);
  });

  it('stops a child with its whole subtree while the run is paused, and the run goes on once resumed', async () => {
    const grandchildAsked = gate();
    const { h, tab } = await start((req) => {
      // The root reads what its rlm_query returned at its next turn: one that waits while paused.
      if (req.model === ROOT) return turn(req) === 0 ? { text: repl('const a = await rlm_query("child A", "x"); print("root saw: " + a)') } : { text: `FINAL(${/root saw: .*/.exec(lastUser(req))?.[0]})` };
      if (queryOf(req) === 'child A') return { text: repl('const g = await rlm_query("grandchild", "y"); FINAL(g)') };
      grandchildAsked.open();
      return { hang: true };
    });
    const { runId } = await h.service.call('runs.start', { query: 'deep', inputs: [], limits: { maxDepth: 2 } });
    await grandchildAsked.opened;
    await eventually(() => sandboxChildren().length === 3);
    const a = await rlmNode(h, runId, 'child A');
    const g = await rlmNode(h, runId, 'grandchild');
    expect(await tab.call('runs.pause', { runId })).toEqual({ status: 'paused' });
    // Paused, the stop still ends A at once: it does not wait for the run to be resumed.
    expect(await tab.call('runs.stopRlm', { runId, nodeId: a.id })).toEqual({ stopped: true });
    await eventually(() => sandboxChildren().length === 1);
    const gRequest = conversation(h.fake, 'grandchild')[0]!;
    await eventually(() => h.fake.ledger.some((bill) => bill.index === gRequest.index && bill.finish === 'aborted'));
    const stopped = storedTree(h.dbPath, runId);
    expect(stopped.find((n) => n.id === a.id)).toMatchObject({ status: 'stopped', payload: { stopReason: 'user', error: 'stopped by the user' } });
    expect(stopped.find((n) => n.id === g.id)).toMatchObject({ status: 'stopped', payload: { error: `the user stopped RLM node ${a.id}` } });
    expect(stopped.find((n) => n.parentId === a.id && n.kind === 'cell')?.status).toBe('stopped');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await h.service.call('runs.get', { runId })).status).toBe('paused');
    expect(h.fake.requests.filter((req) => req.model === ROOT)).toHaveLength(1);
    await tab.call('runs.resume', { runId });
    expect(await h.service.waitForRun(runId)).toMatchObject({ status: 'completed', answer: `root saw: Error: the user stopped this child RLM (node ${a.id})` });
  });

  it('holds a note sent while the run is paused for the turn after it resumes', async () => {
    const firstAsked = gate();
    const { h, tab } = await start(async (req) => {
      if (turn(req) === 0) {
        firstAsked.open();
        return { text: repl('print("looked")'), delayMs: 100 };
      }
      return { text: 'FINAL(done)' };
    });
    const { runId } = await h.service.call('runs.start', { query: 'one', inputs: [] });
    await firstAsked.opened;
    await tab.call('runs.pause', { runId });
    expect(await tab.call('runs.noteRlm', { runId, nodeId: 1, text: 'steer' })).toEqual({ queued: true });
    // Paused: no second turn is asked.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(h.fake.requests).toHaveLength(1);
    await tab.call('runs.resume', { runId });
    expect(await h.service.waitForRun(runId)).toMatchObject({ status: 'completed', answer: 'done' });
    expect(h.fake.requests[1]?.messages.at(-1)).toEqual({ role: 'user', content: 'Note from the user: steer' });
    expect((await h.service.call('runs.get', { runId })).replayableWhy).toBe('the user sent notes to RLM node 1 while it ran, which a re-execution would not do again');
  });

  it('refuses, in one line each: a run not going, a node that is not one of its RLMs, an RLM already over, the root, a bad note', async () => {
    const childAsked = gate();
    const finish = gate();
    const { h, tab } = await start(async (req) => {
      if (req.model === ROOT) return turn(req) === 0 ? { text: repl('const c = await rlm_query("child", "x"); await llm_query("more"); FINAL(c)') } : { text: 'FINAL(x)' };
      if (queryOf(req) === 'child') {
        childAsked.open();
        return { text: 'FINAL(child done)' };
      }
      await finish.opened; // the sub-call "more": holds the run open
      return { text: 'more' };
    });
    const { runId } = await h.service.call('runs.start', { query: 'refusals', inputs: [] });
    await childAsked.opened;
    await eventually(() => h.fake.requests.some((req) => req.model === SUB && queryOf(req) === ''));
    const child = await rlmNode(h, runId, 'child');
    const cell = (await h.service.call('runs.nodes', { runId })).find((n) => n.kind === 'cell')!;

    await expect(tab.call('runs.stopRlm', { runId, nodeId: 1 })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: `node 1 is the root RLM of run ${runId}: use Stop to stop the whole run` });
    await expect(tab.call('runs.stopRlm', { runId, nodeId: child.id })).rejects.toMatchObject({ code: 'RUN_NOT_ACTIVE', message: `RLM node ${child.id} has already ended (completed): there is nothing to stop` });
    await expect(tab.call('runs.noteRlm', { runId, nodeId: child.id, text: 'hi' })).rejects.toMatchObject({ message: `RLM node ${child.id} has already ended (completed): it would never read the note` });
    await expect(tab.call('runs.noteRlm', { runId, nodeId: cell.id, text: 'hi' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: `node ${cell.id} of run ${runId} is a cell, not an RLM` });
    await expect(tab.call('runs.stopRlm', { runId, nodeId: 9999 })).rejects.toMatchObject({ code: 'NOT_FOUND', message: `run ${runId} has no node 9999` });
    await expect(tab.call('runs.noteRlm', { runId, nodeId: 1, text: '  \n ' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('the note is empty') });
    await expect(tab.call('runs.noteRlm', { runId, nodeId: 1, text: 'x'.repeat(20_001) })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('a note is at most 20,000 characters') });
    await expect(tab.call('runs.stopRlm', { runId, nodeId: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(tab.call('runs.stopRlm', { runId, nodeId: 1.5 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const withExtra = { runId, nodeId: 1, text: 'x', extra: true };
    await expect(tab.call('runs.noteRlm', withExtra)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(tab.call('runs.stopRlm', { runId: 'no-such-run', nodeId: 2 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A note at exactly the limit is taken; past 20 waiting notes, more are refused.
    expect(await tab.call('runs.noteRlm', { runId, nodeId: 1, text: 'y'.repeat(20_000) })).toEqual({ queued: true });
    for (let i = 1; i < 20; i++) await tab.call('runs.noteRlm', { runId, nodeId: 1, text: `note ${i}` });
    await expect(tab.call('runs.noteRlm', { runId, nodeId: 1, text: 'one too many' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'RLM node 1 already has 20 notes waiting for its next turn: send more once it has read them',
    });

    finish.open();
    await h.service.waitForRun(runId);
    await expect(tab.call('runs.noteRlm', { runId, nodeId: 1, text: 'hi' })).rejects.toMatchObject({ code: 'RUN_NOT_ACTIVE', message: `run ${runId} is completed, not running: there is no RLM to send a note to` });
    await expect(tab.call('runs.stopRlm', { runId, nodeId: child.id })).rejects.toMatchObject({ code: 'RUN_NOT_ACTIVE', message: `run ${runId} is completed, not running: there is no RLM to stop` });
  });
});
