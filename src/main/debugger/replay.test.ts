// Exact replay of real runs (DESIGN §11): recorded on the fake provider over loopback with real
// sandbox processes and a real database file, then re-executed from the recording alone. The
// fake provider's request count proves that no model is asked.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeRequest } from '../fakeProvider/server';
import { createForkLauncher } from '../sandbox/host/forkLauncher';
import { openRunReader } from '../store/runReader';
import { isRootConversation, lastUser, repl, startHarness, turn, type Harness } from '../testing/serviceHarness';
import { isTimeZoneName, replayRun, type ReplayResult } from './replay';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ROOT_CELLS = [
  `const r = [Math.random(), Math.random()];
const t = [Date.now(), new Date().getTime(), String(new Date()), new Date().getHours()];
const a = await llm_query('alpha');
const [b1, b2] = await Promise.all([llm_query('slow one'), llm_query('fast one')]);
const batch = await llm_query_batched(['slow one', 'fast one', 'alpha']);
let refused = ''; try { await llm_query('beta', { model: 'not-a-model' }); } catch (e) { refused = e.message; }
let tooBig = ''; try { await llm_query('y'.repeat(64000001)); } catch (e) { tooBig = e.message; }
const child = await rlm_query('child question', 'child context');
llm_query('orphan');
print(JSON.stringify({ r, t, a, b1, b2, batch, refused, tooBig, child, doc: context }));`,
  'const hoard = []; while (true) { const b = new ArrayBuffer(64 * 1024 * 1024); new Uint8Array(b).fill(1); hoard.push(b) }',
  `print(JSON.stringify({ r: Math.random(), t: Date.now(), a, kept: typeof hoard })); FINAL('done')`,
];

const SUB_REPLIES: Record<string, { text: string; delayMs?: number }> = {
  alpha: { text: 'A!' },
  // Answered after the call made after it: the code receives them in the other order.
  'slow one': { text: 'S!', delayMs: 300 },
  'fast one': { text: 'F!' },
  'deeper\n\nx': { text: 'D!' },
  orphan: { text: 'O!', delayMs: 3000 },
};

const isChildConversation = (req: FakeRequest) => !isRootConversation(req) && req.messages[0]?.role === 'system';

async function recordedRun(): Promise<{ runId: string; dbPath: string }> {
  h = await startHarness((req) => {
    if (isRootConversation(req)) return { text: repl(ROOT_CELLS[turn(req)] ?? "FINAL('late')") };
    if (isChildConversation(req)) {
      return { text: turn(req) === 0 ? repl(`const seen = [Math.random(), Date.now(), context]; print(JSON.stringify(seen), await rlm_query('deeper', 'x'))`) : 'FINAL(child answer)' };
    }
    return SUB_REPLIES[lastUser(req)] ?? { text: `unexpected: ${lastUser(req).slice(0, 40)}` };
  });
  const { runId } = await h.service.call('runs.start', {
    query: 'record everything',
    inputs: [{ kind: 'text', name: 'doc', text: 'the document' }],
    limits: { maxDepth: 1, sandboxMemoryMb: 300 },
  });
  const summary = await h.service.waitForRun(runId);
  expect(summary).toMatchObject({ status: 'completed', answer: 'done' });
  return { runId, dbPath: h.dbPath };
}

async function replay(dbPath: string, runId: string): Promise<ReplayResult> {
  const reader = openRunReader(dbPath);
  try {
    return await replayRun(reader, runId, { launcher: createForkLauncher() });
  } finally {
    reader.close();
  }
}

function cellIds(dbPath: string, runId: string): number[] {
  const reader = openRunReader(dbPath);
  try {
    return reader.getNodes(runId).filter((node) => node.kind === 'cell').map((node) => node.id);
  } finally {
    reader.close();
  }
}

describe('replayRun', () => {
  it('reproduces every cell of every RLM — sub-calls, a batch, a child, a restart, clock and random — with no model call', async () => {
    const { runId, dbPath } = await recordedRun();
    const requests = h!.fake.requests.length;
    const progress: number[] = [];
    const reader = openRunReader(dbPath);
    let result: ReplayResult;
    try {
      result = await replayRun(reader, runId, { launcher: createForkLauncher(), onProgress: ({ done }) => progress.push(done) });
    } finally {
      reader.close();
    }
    const cells = cellIds(dbPath, runId);
    expect(cells.length).toBe(4);
    expect(result).toEqual({ runId, cells: cells.length, reproduced: cells.length, diverged: [], modelCalls: 0 });
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(h!.fake.requests.length).toBe(requests);
  }, 180_000);

  it('reports a cell whose recorded output was altered as diverged at that node, and the rest as reproduced', async () => {
    const { runId, dbPath } = await recordedRun();
    const cells = cellIds(dbPath, runId);
    const [first, last] = [cells[0], cells[cells.length - 1]];
    const db = new Database(dbPath);
    const recorded = (JSON.parse(db.prepare<[string, number], { body: string }>('SELECT body FROM node_payloads WHERE run_id = ? AND node_id = ?').get(runId, last!)!.body) as { output: string }).output;
    db.prepare(`UPDATE node_payloads SET body = json_set(body, '$.output', 'altered\n') WHERE run_id = ? AND node_id = ?`).run(runId, last!);
    db.close();
    const requests = h!.fake.requests.length;
    const result = await replay(dbPath, runId);
    expect(result.diverged).toEqual([{ nodeId: last!, expected: 'altered\n', actual: recorded }]);
    expect(result.reproduced).toBe(3);
    expect(first).toBeDefined();
    expect(h!.fake.requests.length).toBe(requests);
  }, 180_000);

  it('reports a cell whose recorded host call was altered as diverged, naming the call', async () => {
    const { runId, dbPath } = await recordedRun();
    const cells = cellIds(dbPath, runId);
    const [first, last] = [cells[0], cells[cells.length - 1]];
    const requests = h!.fake.requests.length;
    const db = new Database(dbPath);
    db.prepare(`UPDATE node_payloads SET body = json_set(body, '$.hostCalls.calls[0].request', '0000000000000000') WHERE run_id = ? AND node_id = ?`).run(runId, first!);
    db.close();
    const result = await replay(dbPath, runId);
    expect(result.diverged[0]).toEqual({ nodeId: first!, expected: 'host call 1: llm_query (request 0000000000000000)', actual: expect.stringMatching(/^host call 1: llm_query \(request [0-9a-f]{16}\)$/) });
    // The call was answered with an error, not asked of a model: the code's \`a\` never got its
    // value, and the last cell, which prints it, diverges in consequence.
    expect(result.diverged.map((d) => d.nodeId)).toEqual([first!, last!]);
    expect(result.modelCalls).toBe(0);
    expect(h!.fake.requests.length).toBe(requests);
  }, 180_000);

  it('runs each sandbox in the recorded time zone: a recording moved to another zone no longer reproduces the clock text', async () => {
    const { runId, dbPath } = await recordedRun();
    const reader = openRunReader(dbPath);
    const root = reader.getNodes(runId).find((node) => node.kind === 'rlm' && node.parentId === null)!;
    const zone = reader.getPayload(runId, root.id)!.environment!.timeZone;
    reader.close();
    const other = zone === 'Asia/Kathmandu' ? 'America/St_Johns' : 'Asia/Kathmandu';
    const db = new Database(dbPath);
    db.prepare(`UPDATE node_payloads SET body = json_set(body, '$.environment.timeZone', ?) WHERE run_id = ? AND node_id = ?`).run(other, runId, root.id);
    db.close();
    const result = await replay(dbPath, runId);
    const [first] = cellIds(dbPath, runId);
    // The first cell prints String(new Date()) and getHours(): the zone shows; nothing else differs.
    expect(result.diverged.map((d) => d.nodeId)).toEqual([first!]);
    expect(result.diverged[0]!.actual).toMatch(other === 'Asia/Kathmandu' ? /GMT\+0545/ : /GMT-0[23]30/);
  }, 180_000);

  it('accepts only plain time zone names from a recording', () => {
    for (const name of ['UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']) expect(isTimeZoneName(name)).toBe(true);
    for (const name of [':/etc/passwd', '/etc/localtime', '../x', 'a/../../b', '', 'x'.repeat(65), 'Europe/Paris\nLD_PRELOAD=x']) expect(isTimeZoneName(name)).toBe(false);
  });

  it('refuses a run recorded before exact replay, an imported run and a running one, with one line each', async () => {
    const { runId, dbPath } = await recordedRun();
    const db = new Database(dbPath);
    db.prepare('UPDATE runs SET recording = 0 WHERE id = ?').run(runId);
    await expect(replay(dbPath, runId)).rejects.toThrow(/^run .* cannot be replayed exactly: recorded before exact replay: /);
    db.prepare(`UPDATE runs SET origin = 'imported', source = 'log.jsonl' WHERE id = ?`).run(runId);
    await expect(replay(dbPath, runId)).rejects.toThrow(`run ${runId} was imported from log.jsonl: its code is Python, recorded by the reference library: it is never re-executed`);
    db.prepare(`UPDATE runs SET origin = 'native', recording = 1, status = 'running' WHERE id = ?`).run(runId);
    await expect(replay(dbPath, runId)).rejects.toThrow(/is still running/);
    db.close();
    await expect(replay(dbPath, 'no-such-run')).rejects.toThrow('no run no-such-run');
  }, 180_000);

  it('runs.replay: the same through the service, with progress events, one replay of a run at a time, and cancel', async () => {
    const { runId } = await recordedRun();
    const requests = h!.fake.requests.length;
    const progress: Array<{ done: number; total: number }> = [];
    const unsubscribe = h!.service.subscribe(runId, (event) => {
      if (event.type === 'run.replayProgressed') progress.push({ done: event.done, total: event.total });
    });
    const first = h!.service.call('runs.replay', { runId });
    await expect(h!.service.call('runs.replay', { runId })).rejects.toMatchObject({ code: 'RUN_ACTIVE' });
    expect(await first).toMatchObject({ runId, cells: 4, reproduced: 4, diverged: [], modelCalls: 0 });
    expect(progress).toEqual([1, 2, 3, 4].map((done) => ({ done, total: 4 })));
    const controller = new AbortController();
    const cancelled = h!.service.call('runs.replay', { runId }, { signal: controller.signal });
    controller.abort();
    await expect(cancelled).rejects.toThrow('the replay was cancelled');
    unsubscribe();
    expect(h!.fake.requests.length).toBe(requests);
  }, 180_000);
});
