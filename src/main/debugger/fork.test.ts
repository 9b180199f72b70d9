// Forks of real runs (DESIGN §11, issue 12): recorded on the fake provider over loopback with
// real sandbox processes and a real database file, then re-run from the recording with one edit
// or other settings. The fake provider's request count proves which calls went live.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LEGACY_PART_BYTES, PART_BYTES } from '../../shared/domain/run';
import type { FakeRequest } from '../fakeProvider/server';
import { openRunReader } from '../store/runReader';
import { lastUser, queryOf, repl, ROOT, startHarness, storedTree, SUB, turn, type Harness } from '../testing/serviceHarness';
import { diffRuns } from './runDiff';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const isRlmConversation = (req: FakeRequest) => req.messages[0]?.role === 'system';
const isRoot = (req: FakeRequest) => isRlmConversation(req) && queryOf(req) === 'three turns';

/** A three-turn root: two cells with sub-calls and random values, then FINAL. */
const ROOT_TURNS = [
  repl(`const a = await llm_query('alpha'); print('one', a, Math.random(), Date.now())`),
  repl(`print('two', await llm_query('beta'))`),
  'FINAL(original)',
];

const SUBS: Record<string, string> = { alpha: 'A!', beta: 'B!', gamma: 'G!' };

/** Set once the parent is recorded: the fake model then ends its third turn differently. */
let forking = false;

async function recorded(handlerExtra?: (req: FakeRequest) => { text: string } | null): Promise<string> {
  forking = false;
  h = await startHarness((req) => {
    const extra = handlerExtra?.(req);
    if (extra) return extra;
    if (isRoot(req)) {
      // A fork's root takes the third turn from here: the recorded one said "original".
      const text = ROOT_TURNS[turn(req)];
      return { text: turn(req) === 2 && forking ? 'FINAL(forked)' : (text ?? 'FINAL(late)') };
    }
    return { text: SUBS[lastUser(req)] ?? `unexpected: ${lastUser(req).slice(0, 40)}` };
  });
  const { runId } = await h.service.call('runs.start', { query: 'three turns', inputs: [{ kind: 'text', name: 'doc', text: 'the document' }] });
  const summary = await h.service.waitForRun(runId);
  expect(summary).toMatchObject({ status: 'completed', answer: 'original' });
  forking = true;
  return runId;
}

const tree = (runId: string) => storedTree(h!.dbPath, runId);

const turns = (nodes: ReturnType<typeof tree>, parentId: number) => nodes.filter((node) => node.kind === 'llm' && node.purpose === 'turn' && node.parentId === parentId);

describe('fork', () => {
  it('at the second turn of three: the first turn and its sub-call come from the recording, the edit is applied, and only the calls after it go live', async () => {
    const parent = await recorded();
    const original = tree(parent);
    const [, second] = turns(original, 1);
    const before = h!.fake.requests.length;
    const edited = repl(`print('edited', await llm_query('alpha'), await llm_query('gamma'))`);
    const { runId } = await h!.service.call('runs.fork', { runId: parent, at: second!.id, edit: { kind: 'reply', text: edited } });
    const summary = await h!.service.waitForRun(runId);
    const live = h!.fake.requests.slice(before);
    // alpha again (its one recorded answer was taken by the first cell), gamma, and the third turn.
    expect(live.map((req) => (isRoot(req) ? `turn ${turn(req)}` : lastUser(req)))).toEqual(['alpha', 'gamma', 'turn 2']);
    expect(summary).toMatchObject({ status: 'completed', answer: 'forked', forkedFrom: { runId: parent, nodeId: second!.id }, cachedCalls: 2, modelCalls: 3 });

    const fork = tree(runId);
    const [first, secondFork, third] = turns(fork, 1);
    expect(first).toMatchObject({ cached: true, inputTokens: null, costUsd: null });
    expect(secondFork).toMatchObject({ cached: false, payload: { text: edited, forkEdit: { nodeId: second!.id } } });
    expect(third).toMatchObject({ cached: false });
    expect(third!.inputTokens).toBeGreaterThan(0);
    // The first cell ran on the recorded path: the same Math.random and Date.now values, byte for byte.
    const cells = (nodes: typeof fork) => nodes.filter((node) => node.kind === 'cell');
    expect(cells(fork)[0]!.payload.output).toBe(cells(original)[0]!.payload.output);
    expect(cells(fork)[1]!.payload.output).toBe('edited A! G!\n');
    // Cost and tokens are the live calls' only.
    const liveNodes = fork.filter((node) => node.kind === 'llm' && !node.cached && node.inputTokens !== null);
    expect(liveNodes).toHaveLength(3);
    expect(summary.inputTokens).toBe(liveNodes.reduce((sum, node) => sum + node.inputTokens!, 0));
    expect(summary.costUsd).toBeCloseTo(liveNodes.reduce((sum, node) => sum + node.costUsd!, 0), 12);

    // diff names the branch point: the edited reply.
    const reader = openRunReader(h!.dbPath);
    try {
      expect(diffRuns(reader, parent, runId).comparison.firstDivergence).toEqual({ a: second!.id, b: secondFork!.id, field: 'text' });
    } finally {
      reader.close();
    }
  });

  it("a cell's code edited: the reply that held it shows the new code, the cell runs it, and the fork is a complete recording of its own", async () => {
    const parent = await recorded();
    const original = tree(parent);
    const secondCell = original.filter((node) => node.kind === 'cell')[1]!;
    const before = h!.fake.requests.length;
    const { runId } = await h!.service.call('runs.fork', { runId: parent, at: secondCell.id, edit: { kind: 'code', text: "print('new code', await llm_query('beta'))" } });
    const summary = await h!.service.waitForRun(runId);
    // beta comes from the recording (same prompt); only the third turn goes live.
    expect(h!.fake.requests.slice(before).map((req) => (isRoot(req) ? `turn ${turn(req)}` : lastUser(req)))).toEqual(['turn 2']);
    expect(summary).toMatchObject({ answer: 'forked', cachedCalls: 3, modelCalls: 1, forkedFrom: { runId: parent, nodeId: secondCell.id } });
    const fork = tree(runId);
    const [, second] = turns(fork, 1);
    expect(second!.payload.text).toBe(repl("print('new code', await llm_query('beta'))"));
    const cell = fork.filter((node) => node.kind === 'cell')[1]!;
    expect(cell.payload).toMatchObject({ code: "print('new code', await llm_query('beta'))", output: 'new code B!\n', forkEdit: { nodeId: secondCell.id } });
    // A fork of the fork with no edit is answered wholly from the fork's own recording.
    const again = await h!.service.call('runs.fork', { runId });
    const beforeAgain = h!.fake.requests.length;
    expect(await h!.service.waitForRun(again.runId)).toMatchObject({ answer: 'forked', modelCalls: 0, cachedCalls: 5, forkedFrom: { runId, nodeId: null } });
    expect(h!.fake.requests.length).toBe(beforeAgain);
  });

  it("inside a child RLM: the parent's prefix and the child's are served from the recording, and only what the edit changed goes live", async () => {
    const isChild = (req: FakeRequest) => isRlmConversation(req) && queryOf(req) === 'child q';
    let forked = false;
    h = await startHarness((req) => {
      if (isChild(req)) return { text: turn(req) === 0 ? repl(`print(await llm_query('inner'))`) : 'FINAL(child answer)' };
      if (isRlmConversation(req)) {
        if (turn(req) === 0) return { text: repl(`const c = await rlm_query('child q', 'ctx'); print('child said', c)`) };
        return { text: forked ? 'FINAL(root after edit)' : 'FINAL(root done)' };
      }
      return { text: lastUser(req) === 'inner' ? 'I!' : 'unexpected' };
    });
    const { runId: parent } = await h.service.call('runs.start', { query: 'nested', inputs: [], limits: { maxDepth: 1 } });
    expect(await h.service.waitForRun(parent)).toMatchObject({ status: 'completed', answer: 'root done' });
    const original = tree(parent);
    const child = original.find((node) => node.kind === 'rlm' && node.parentId !== null)!;
    const childSecondTurn = turns(original, child.id)[1]!;
    forked = true;
    const before = h.fake.requests.length;
    const { runId } = await h.service.call('runs.fork', { runId: parent, at: childSecondTurn.id, edit: { kind: 'reply', text: 'FINAL(child edited)' } });
    const summary = await h.service.waitForRun(runId);
    // Root turn 1, child turn 1, inner: from the recording; the child's answer is the edit; the root's second turn is live.
    expect(h.fake.requests.slice(before).map((req) => `${queryOf(req)} ${turn(req)}`)).toEqual(['nested 1']);
    expect(summary).toMatchObject({ answer: 'root after edit', cachedCalls: 3, modelCalls: 1 });
    const fork = tree(runId);
    expect(fork.find((node) => node.kind === 'cell' && node.depth === 0)!.payload.output).toBe('child said child edited\n');
  });

  it('with another root model: every root turn goes live, and sub-calls whose prompt is unchanged come from the recording', async () => {
    const parent = await recorded((req) => {
      // The same code from the other model: the sub-calls it makes are the recorded ones.
      if (isRlmConversation(req) && req.model === SUB) return { text: ROOT_TURNS[turn(req)] ?? 'FINAL(late)' };
      return null;
    });
    const before = h!.fake.requests.length;
    const { runId } = await h!.service.call('runs.fork', { runId: parent, rootModel: SUB });
    const summary = await h!.service.waitForRun(runId);
    const live = h!.fake.requests.slice(before);
    expect(live.map((req) => `${req.model} ${isRlmConversation(req) ? `turn ${turn(req)}` : lastUser(req)}`)).toEqual([`${SUB} turn 0`, `${SUB} turn 1`, `${SUB} turn 2`]);
    expect(summary).toMatchObject({ status: 'completed', answer: 'original', rootModel: SUB, cachedCalls: 2, modelCalls: 3, forkedFrom: { runId: parent, nodeId: null } });
    expect(tree(runId).filter((node) => node.cached).map((node) => node.label)).toEqual(['alpha', 'beta']);
    expect(ROOT).not.toBe(SUB);
  });

  it('splits its input in the parts its parent was split in: a new run records PART_BYTES, a fork of a run from before part sizes keeps 512 MiB', async () => {
    const parent = await recorded();
    const partBytesOf = (runId: string) => {
      const reader = openRunReader(h!.dbPath);
      try {
        return reader.getRun(runId)?.partBytes;
      } finally {
        reader.close();
      }
    };
    expect(partBytesOf(parent)).toBe(PART_BYTES);
    const fresh = await h!.service.call('runs.fork', { runId: parent, rootModel: SUB });
    await h!.service.waitForRun(fresh.runId);
    expect(partBytesOf(fresh.runId)).toBe(PART_BYTES);
    // As a run recorded before issue 13 reads: no part size beside its limits.
    const db = new Database(h!.dbPath);
    try {
      db.prepare(`UPDATE runs SET limits_json = json_remove(limits_json, '$.partBytes') WHERE id = ?`).run(parent);
    } finally {
      db.close();
    }
    expect(partBytesOf(parent)).toBe(LEGACY_PART_BYTES);
    const old = await h!.service.call('runs.fork', { runId: parent, rootModel: SUB });
    await h!.service.waitForRun(old.runId);
    expect(partBytesOf(old.runId)).toBe(LEGACY_PART_BYTES);
  });

  it('says so on its root RLM when it never reached its edit (it left the recorded path before it)', async () => {
    const parent = await recorded((req) => (isRlmConversation(req) && req.model === SUB ? { text: 'FINAL(another way)' } : null));
    const [, second] = turns(tree(parent), 1);
    const { runId } = await h!.service.call('runs.fork', { runId: parent, at: second!.id, edit: { kind: 'reply', text: 'FINAL(never used)' }, rootModel: SUB });
    expect(await h!.service.waitForRun(runId)).toMatchObject({ answer: 'another way' });
    const root = await h!.service.call('nodes.get', { runId, nodeId: 1 });
    expect(root.notes).toEqual([`this fork never reached its edit (node ${second!.id} of run ${parent}): it left the recorded path before that step, so it ran without the edit`]);
    // One that did reach it has no such note.
    const reached = await h!.service.call('runs.fork', { runId: parent, at: second!.id, edit: { kind: 'reply', text: 'FINAL(used)' } });
    expect(await h!.service.waitForRun(reached.runId)).toMatchObject({ answer: 'used' });
    expect((await h!.service.call('nodes.get', { runId: reached.runId, nodeId: 1 })).notes).toBeUndefined();
  });

  it('refuses, in one line and before any run exists, what it cannot fork', async () => {
    const parent = await recorded();
    const nodes = tree(parent);
    const cell = nodes.find((node) => node.kind === 'cell')!;
    const call = nodes.find((node) => node.kind === 'llm')!;
    const runsBefore = h!.service.store.listRuns({ limit: 100, offset: 0 }).length;
    const fork = (params: object) => h!.service.call('runs.fork', { runId: parent, ...params });
    await expect(fork({ at: 999, edit: { kind: 'reply', text: 'x' } })).rejects.toThrow(`run ${parent} has no node 999`);
    await expect(fork({ at: 1, edit: { kind: 'reply', text: 'x' } })).rejects.toThrow('node 1 is an RLM');
    await expect(fork({ at: cell.id, edit: { kind: 'reply', text: 'x' } })).rejects.toThrow(`node ${cell.id} is a cell: replace its code`);
    await expect(fork({ at: call.id, edit: { kind: 'code', text: 'x' } })).rejects.toThrow(`node ${call.id} is a model call`);
    await expect(fork({ at: cell.id, edit: { kind: 'code', text: 'print(1)\n```\nFINAL(sneaky)' } })).rejects.toThrow("closes the block's fence");
    await expect(fork({ at: cell.id })).rejects.toThrow('an edit needs the node it changes');
    await expect(h!.service.call('runs.fork', { runId: 'r-nope' })).rejects.toThrow('no run r-nope');
    expect(h!.service.store.listRuns({ limit: 100, offset: 0 })).toHaveLength(runsBefore);
  });
});
