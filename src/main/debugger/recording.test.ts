// The recording replay and fork will use as their cache (DESIGN §11), read back from a real run:
// the fake provider over loopback, real sandbox processes, a real database file. Whatever the
// code received — sub-call answers, a batch answered out of order, a child's answer, refusals,
// a call left unanswered, clock and Math.random values, across a sandbox restart — the recording
// must hold exactly that, in order.
import { afterEach, describe, expect, it } from 'vitest';
import type { NodePayload, NodeRow } from '../../shared/domain/node';
import type { FakeRequest } from '../fakeProvider/server';
import { openRunReader } from '../store/runReader';
import { isRootConversation, lastUser, repl, startHarness, turn, type Harness } from '../testing/serviceHarness';
import { clockReadings, randomReadings, recordingOf, type CellRecording, type TurnRecording } from './recording';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ROOT_CELLS = [
  `const r = [Math.random(), Math.random()];
const t = [Date.now(), new Date().getTime(), Date.now()];
const a = await llm_query('alpha');
const batch = await llm_query_batched(['slow one', 'fast one']);
let refused = ''; try { await llm_query('beta', { model: 'not-a-model' }); } catch (e) { refused = e.message; }
let tooBig = ''; try { await llm_query('y'.repeat(64000001)); } catch (e) { tooBig = e.message; }
const child = await rlm_query('child question', 'child context');
llm_query('orphan');
print(JSON.stringify({ r, t, a, batch, refused, tooBig, child }));`,
  'const hoard = []; while (true) { const b = new ArrayBuffer(64 * 1024 * 1024); new Uint8Array(b).fill(1); hoard.push(b) }',
  `print(JSON.stringify({ r: Math.random(), t: Date.now() })); FINAL('done')`,
];

const SUB_REPLIES: Record<string, { text: string; delayMs?: number }> = {
  alpha: { text: 'A!' },
  // Finishes after the item after it: the batch still answers in prompt order.
  'slow one': { text: 'S!', delayMs: 400 },
  'fast one': { text: 'F!' },
  'deeper\n\nx': { text: 'D!' },
  orphan: { text: 'O!', delayMs: 3000 },
};

const isChildConversation = (req: FakeRequest) => !isRootConversation(req) && req.messages[0]?.role === 'system';

async function recordedRun() {
  h = await startHarness((req) => {
    if (isRootConversation(req)) return { text: repl(ROOT_CELLS[turn(req)] ?? "FINAL('late')") };
    if (isChildConversation(req)) return { text: turn(req) === 0 ? repl(`print(await rlm_query('deeper', 'x'))`) : 'FINAL(child answer)' };
    return SUB_REPLIES[lastUser(req)] ?? { text: `unexpected: ${lastUser(req).slice(0, 40)}` };
  });
  const { runId } = await h.service.call('runs.start', {
    query: 'record everything',
    inputs: [{ kind: 'text', name: 'doc', text: 'the document' }],
    limits: { maxDepth: 1, sandboxMemoryMb: 300 },
  });
  const summary = await h.service.waitForRun(runId);
  const reader = openRunReader(h.dbPath);
  try {
    return { summary, recording: recordingOf(reader, runId), nodes: reader.getNodes(runId), payload: (id: number) => reader.getPayload(runId, id) };
  } finally {
    reader.close();
  }
}

describe('recordingOf', () => {
  it('holds exactly what every cell received, in order, resolved from the nodes', async () => {
    const { summary, recording, nodes } = await recordedRun();
    expect(summary).toMatchObject({ status: 'completed', answer: 'done' });
    expect(recording).toMatchObject({ version: 1, replayable: true, replayableWhy: null });
    const [root, child] = recording!.rlms;
    expect(recording!.rlms).toHaveLength(2);
    expect(root!.steps.map((step) => step.kind)).toEqual(['turn', 'cell', 'turn', 'cell', 'turn', 'cell']);
    expect(root!.environment?.timeZone).toEqual(expect.any(String));

    const [first, bomb, last] = root!.steps.filter((step): step is CellRecording => step.kind === 'cell');
    const seen = JSON.parse(first!.output) as { r: number[]; t: number[]; a: string; batch: string[]; refused: string; tooBig: string; child: string };
    // Randomness and time: derived and recorded values are the ones the code read.
    expect(randomReadings(root!, first!)).toEqual(seen.r);
    expect(clockReadings(first!)).toEqual(seen.t);

    const calls = first!.hostCalls!;
    expect(calls.map((c) => [c.kind, c.ok, c.refused])).toEqual([
      ['llm', true, false],
      ['llm_batched', true, false],
      ['llm', false, false],
      ['llm', false, true],
      ['rlm', true, false],
      ['llm', null, false],
    ]);
    expect(calls[0]!.value).toBe(seen.a);
    expect(calls[1]!.items).toEqual(seen.batch);
    expect(calls[1]!.value).toBe(JSON.stringify(['S!', 'F!']));
    expect(calls[2]!.value).toBe(seen.refused);
    expect(seen.refused).toMatch(/not one of this run's models/);
    expect(calls[2]!.node).toBeNull();
    expect(calls[3]!.value).toBe(seen.tooBig);
    expect(seen.tooBig).toMatch(/one call may carry/);
    expect(calls[4]!.value).toBe(seen.child);
    expect(seen.child).toBe('child answer');
    expect(calls[4]!.node).toBe(child!.nodeId);
    // Sent, never answered: the cell ended first (before its call got a node, or with it stopped).
    expect(calls[5]!.value).toBeNull();
    if (calls[5]!.node !== null) expect(nodes.find((n) => n.id === calls[5]!.node)).toMatchObject({ kind: 'llm', status: 'stopped' });
    // The order the code received results in; the refusal inside the sandbox never reached it.
    expect(first!.received!.flat()).toEqual([0, 1, 2, 4]);
    expect(calls.every((c) => c.refused || /^[0-9a-f]{16}$/.test(c.request ?? ''))).toBe(true);

    // The batch: its slow item finished last, and the recording still pairs each item with its node.
    const [slowNode, fastNode] = calls[1]!.itemNodes!.map((id) => nodes.find((n) => n.id === id)!);
    expect(slowNode!.endedAt!).toBeGreaterThan(fastNode!.endedAt!);
    expect([slowNode!.label, fastNode!.label]).toEqual(['slow one', 'fast one']);

    // The memory bomb: killed, so what it drew and received is not known — and says so.
    expect(bomb!.error).toMatch(/killed/);
    expect(bomb!.hostCalls).toEqual([]);
    expect(bomb!.received).toBeNull();
    expect(bomb!.random).toBeNull();
    expect(randomReadings(root!, bomb!)).toBeNull();
    // After the restart: values from the next epoch, exactly as the code read them.
    const after = JSON.parse(last!.output) as { r: number; t: number };
    expect(last!.random).toMatchObject({ epoch: 1, draws: 0, count: 1 });
    expect(randomReadings(root!, last!)).toEqual([after.r]);
    expect(after.r).not.toBe(seen.r[0]);
    expect(clockReadings(last!)).toEqual([after.t]);

    // The child RLM: in tree position under the cell that started it; past the depth limit its
    // rlm_query became a sub-call, linked to its node.
    expect(child).toMatchObject({ parentCellId: first!.nodeId, depth: 1, query: 'child question', answer: 'child answer' });
    expect(child!.position).toEqual([nodes.find((n) => n.id === first!.nodeId)!.seq, nodes.find((n) => n.id === child!.nodeId)!.seq]);
    const childCell = child!.steps.find((step): step is CellRecording => step.kind === 'cell')!;
    expect(childCell.hostCalls).toMatchObject([{ kind: 'rlm', ok: true, value: 'D!' }]);
    expect(nodes.find((n) => n.id === childCell.hostCalls![0]!.node)).toMatchObject({ kind: 'llm', parentId: childCell.nodeId });
  }, 120_000);

  it('gives each turn the whole conversation exactly as it was sent', async () => {
    const { recording } = await recordedRun();
    const sent = h!.fake.requests.filter(isRootConversation).map((req) => req.messages);
    const turns = recording!.rlms[0]!.steps.filter((step): step is TurnRecording => step.kind === 'turn');
    expect(turns.map((t) => t.messages)).toEqual(sent);
    expect(turns.map((t) => t.reply)).toEqual(ROOT_CELLS.map((code) => repl(code)));
    const childSent = h!.fake.requests.filter(isChildConversation).map((req) => req.messages);
    const childTurns = recording!.rlms[1]!.steps.filter((step): step is TurnRecording => step.kind === 'turn');
    expect(childTurns.map((t) => t.messages)).toEqual(childSent);
  }, 120_000);
});

describe('recordingOf on a run recorded before exact replay', () => {
  it('reads its turns and cells, with host calls, received order and random values unknown', () => {
    const nodes = [
      { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, status: 'completed', model: 'm', label: 'q' },
      { id: 2, parentId: 1, kind: 'llm', depth: 0, seq: 0, status: 'completed', model: 'm', label: 'r' },
      { id: 3, parentId: 1, kind: 'cell', depth: 0, seq: 1, status: 'completed', model: null, label: 'c' },
      { id: 4, parentId: 3, kind: 'llm', depth: 0, seq: 0, status: 'completed', model: 's', label: 'p' },
    ] as NodeRow[];
    const payloads: Record<number, NodePayload> = {
      1: { query: 'q', seed: 3 },
      2: { prompt: [{ role: 'user', content: 'go' }], text: 'reply' },
      3: { code: 'print(1)', output: '1\n', clock: [10, 11], random: { epoch: 0, draws: 0 } },
      4: { prompt: [{ role: 'user', content: 'p' }], text: 'sub' },
    };
    const recording = recordingOf(
      { getRun: () => ({ seed: 1, recording: 0, replayable: false, replayableWhy: 'recorded before exact replay: …' }), getNodes: () => nodes, getPayload: (_, id) => payloads[id] ?? null },
      'old',
    );
    expect(recording).toMatchObject({ version: 0, replayable: false, replayableWhy: 'recorded before exact replay: …' });
    expect(recording!.rlms[0]!.steps).toEqual([
      { kind: 'turn', nodeId: 2, model: 'm', messages: [{ role: 'user', content: 'go' }], reply: 'reply', error: null, status: 'completed' },
      { kind: 'cell', nodeId: 3, code: 'print(1)', output: '1\n', error: null, status: 'completed', clock: { runs: [10, 1, 1, 1], reads: 2 }, random: null, hostCalls: null, received: null, cut: 0 },
    ]);
    const cell = recording!.rlms[0]!.steps[1] as CellRecording;
    expect(clockReadings(cell)).toEqual([10, 11]);
    expect(randomReadings(recording!.rlms[0]!, cell)).toBeNull();
  });
});
