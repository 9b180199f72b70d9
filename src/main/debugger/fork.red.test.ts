// Red-team tests of forks (issue 12): what a hostile user or model could make a fork get wrong —
// a cell before the edited one in the same reply, an edited sub-call that had failed, a code
// edit too large for a reply, array and Windows-1252 inputs, equal prompts in a batch, the call
// limit, and the scratch folder of copied inputs. Real runs on the fake provider over loopback,
// real sandboxes, a real database file.
import { mkdtempSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeRequest } from '../fakeProvider/server';
import { openRunReader } from '../store/runReader';
import { lastUser, startHarness, storedTree, turn, type Harness } from '../testing/serviceHarness';
import { openDatabase } from '../store/database';
import { documentRanges } from '../store/documentRanges';
import { prepareRunDeletion } from '../store/runDeletion';
import { rootInputFiles } from './replay';
import { diffRuns } from './runDiff';

let h: Harness | undefined;
const savedTmp = process.env.TMPDIR;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});

const isRlm = (req: FakeRequest) => req.messages[0]?.role === 'system';

const tree = (runId: string) => storedTree(h!.dbPath, runId);

const cellsOf = (runId: string) => tree(runId).filter((node) => node.kind === 'cell');

async function record(handler: (req: FakeRequest) => { text: string } | { status: number; error: string }, params: object = {}): Promise<string> {
  h = await startHarness(handler);
  const { runId } = await h.service.call('runs.start', { query: 'red', inputs: [{ kind: 'text', name: 'doc', text: 'the document' }], ...params });
  const summary = await h.service.waitForRun(runId);
  expect(summary.status).toBe('completed');
  return runId;
}

describe('fork, attacked', () => {
  it("the code of a reply's second block edited: the first block, before the edit, still reads the recorded clock and diff names the edited cell", async () => {
    const twoBlocks = "Two blocks.\n```repl\nprint('first', Date.now(), Math.random())\n```\nAnd:\n```repl\nprint('second')\n```";
    const parent = await record((req) => (isRlm(req) ? { text: turn(req) === 0 ? twoBlocks : 'FINAL(done)' } : { text: 'sub' }));
    const [first, second] = cellsOf(parent);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the clock moves on
    const before = h!.fake.requests.length;
    const { runId } = await h!.service.call('runs.fork', { runId: parent, at: second!.id, edit: { kind: 'code', text: "print('edited')" } });
    const summary = await h!.service.waitForRun(runId);
    expect(summary).toMatchObject({ status: 'completed', answer: 'done' });
    const [forkFirst, forkSecond] = cellsOf(runId);
    expect(forkSecond!.payload.output).toBe('edited\n');
    // The first block ran before the edit, the same code in the same sandbox state: the recorded values.
    expect(forkFirst!.payload.output).toBe(first!.payload.output);
    const reader = openRunReader(h!.dbPath);
    try {
      expect(diffRuns(reader, parent, runId).comparison.firstDivergence).toMatchObject({ a: second!.id, field: 'code' });
    } finally {
      reader.close();
    }
    expect(h!.fake.requests.length - before).toBe(1); // the turn after the edit
  });

  it('an edited sub-call that had failed is answered by the edit, not sent again', async () => {
    const code = "try { print(await llm_query('boom')) } catch (e) { print('caught') }";
    const parent = await record((req) => {
      if (isRlm(req)) return { text: turn(req) === 0 ? `Run.\n\`\`\`repl\n${code}\n\`\`\`` : 'FINAL(done)' };
      return lastUser(req) === 'boom' ? { status: 400, error: 'bad request' } : { text: 'other' };
    });
    const failed = tree(parent).find((node) => node.kind === 'llm' && node.purpose === 'sub')!;
    expect(failed.status).toBe('failed');
    const before = h!.fake.requests.length;
    const { runId } = await h!.service.call('runs.fork', { runId: parent, at: failed.id, edit: { kind: 'reply', text: 'rescued' } });
    await h!.service.waitForRun(runId);
    expect(h!.fake.requests.slice(before).map((req) => (isRlm(req) ? `turn ${turn(req)}` : lastUser(req)))).not.toContain('boom');
    expect(cellsOf(runId)[0]!.payload.output).toBe('rescued\n');
  });

  it('a code edit that makes its reply longer than a reply is read is refused with that reason', async () => {
    const parent = await record((req) => (isRlm(req) ? { text: turn(req) === 0 ? "Go.\n```repl\nprint('hi')\n```" : 'FINAL(done)' } : { text: 'sub' }));
    const [cell] = cellsOf(parent);
    const huge = `// ${'x'.repeat(1_200_000)}\nprint(1)`;
    const runsBefore = h!.service.store.listRuns({ limit: 100, offset: 0 }).length;
    await expect(h!.service.call('runs.fork', { runId: parent, at: cell!.id, edit: { kind: 'code', text: huge } })).rejects.toThrow(/the reply that holds it would be 1,200,0[0-9]{2} characters, more than the 1,000,000 of a reply/);
    expect(h!.service.store.listRuns({ limit: 100, offset: 0 })).toHaveLength(runsBefore);
  });

  it('three inputs, one of them Windows-1252: the fork sees the same array context, and every cell reproduces with no request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rlm-red-'));
    const legacy = join(dir, 'legacy.txt');
    writeFileSync(legacy, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x20, 0x93, 0x71, 0x94])); // café € “q” in cp1252
    const code = "print(context.length, context_names.join('|'), context[2], Date.now(), Math.random())";
    h = await startHarness((req) => (isRlm(req) ? { text: turn(req) === 0 ? `Look.\n\`\`\`repl\n${code}\n\`\`\`` : 'FINAL(done)' } : { text: 'sub' }));
    const { runId: parent } = await h.service.call('runs.start', {
      query: 'red',
      inputs: [
        { kind: 'text', name: 'a.txt', text: 'alpha' },
        { kind: 'text', name: 'b.txt', text: 'beta' },
        { kind: 'path', path: legacy },
      ],
    });
    expect(await h.service.waitForRun(parent)).toMatchObject({ status: 'completed' });
    const recorded = cellsOf(parent)[0]!.payload.output!;
    expect(recorded).toContain('café € “q”');
    const before = h.fake.requests.length;
    const { runId } = await h.service.call('runs.fork', { runId: parent });
    expect(await h.service.waitForRun(runId)).toMatchObject({ status: 'completed', modelCalls: 0, cachedCalls: 2 });
    expect(h.fake.requests.length).toBe(before);
    expect(cellsOf(runId)[0]!.payload.output).toBe(recorded);
  });

  it('equal prompts in a batch with different recorded answers: each item gets its own recorded answer, in order', async () => {
    let n = 0;
    const code = "print(JSON.stringify(await llm_query_batched(['same', 'same', 'same', 'same'])))";
    const parent = await record((req) => (isRlm(req) ? { text: turn(req) === 0 ? `Go.\n\`\`\`repl\n${code}\n\`\`\`` : 'FINAL(done)' } : { text: `answer ${n++}` }));
    const recorded = cellsOf(parent)[0]!.payload.output!;
    const before = h!.fake.requests.length;
    const { runId } = await h!.service.call('runs.fork', { runId: parent });
    expect(await h!.service.waitForRun(runId)).toMatchObject({ status: 'completed', modelCalls: 0, cachedCalls: 6 });
    expect(h!.fake.requests.length).toBe(before);
    expect(cellsOf(runId)[0]!.payload.output).toBe(recorded);
  });

  it('--max-calls counts the live calls only, and still stops the fork at its limit', async () => {
    const parent = await record((req) => {
      if (!isRlm(req)) return { text: `sub ${lastUser(req)}` };
      return { text: ["Go.\n```repl\nprint(await llm_query('one'))\n```", "Go.\n```repl\nprint(await llm_query('two'))\n```", 'FINAL(done)'][turn(req)] ?? 'FINAL(late)' };
    });
    const firstTurn = tree(parent).find((node) => node.kind === 'llm' && node.purpose === 'turn')!;
    const before = h!.fake.requests.length;
    const { runId } = await h!.service.call('runs.fork', {
      runId: parent,
      at: firstTurn.id,
      edit: { kind: 'reply', text: "Go.\n```repl\nprint(await llm_query('new'))\n```" },
      limits: { maxCalls: 1 },
    });
    const summary = await h!.service.waitForRun(runId);
    expect(summary).toMatchObject({ status: 'stopped', stopReason: 'max-calls', modelCalls: 1 });
    expect(h!.fake.requests.length - before).toBe(1);
  });

  it('the scratch folder of copied inputs is removed when the fork ends, completed or failed', async () => {
    const scratchRoot = mkdtempSync(join(tmpdir(), 'rlm-red-tmp-'));
    const parent = await record((req) => (isRlm(req) ? { text: turn(req) === 0 ? "Go.\n```repl\nprint(context.length)\n```" : 'FINAL(done)' } : { text: 'sub' }));
    process.env.TMPDIR = scratchRoot;
    const turnNode = tree(parent).find((node) => node.kind === 'llm' && node.purpose === 'turn')!;
    const done = await h!.service.call('runs.fork', { runId: parent });
    await h!.service.waitForRun(done.runId);
    // A fork whose live call fails: the provider refuses it.
    h!.fake.setHandler(() => ({ status: 401, error: 'no' }));
    const failing = await h!.service.call('runs.fork', { runId: parent, at: turnNode.id, edit: { kind: 'reply', text: "Again.\n```repl\nprint(1)\n```" } });
    expect((await h!.service.waitForRun(failing.runId)).status).toBe('failed');
    expect(readdirSync(scratchRoot).filter((name) => name.startsWith('rlmscope-fork-'))).toEqual([]);
  });

  it('a child RLM with the same query and another context is not served the recorded child', async () => {
    const parentCode = "print(await rlm_query('q', 'context A'))";
    const handler = (req: FakeRequest) => {
      if (!isRlm(req)) return { text: 'sub' };
      const first = req.messages[1]?.content ?? '';
      if (first.startsWith('Query: q\n')) return { text: `FINAL(child saw ${first.includes('context A') ? 'A' : 'B'})` };
      return { text: turn(req) === 0 ? `Go.\n\`\`\`repl\n${parentCode}\n\`\`\`` : 'FINAL(done)' };
    };
    const parent = await record(handler, { limits: { maxDepth: 1 } });
    expect(cellsOf(parent)[0]!.payload.output).toBe('child saw A\n');
    const firstTurn = tree(parent).find((node) => node.kind === 'llm' && node.purpose === 'turn' && node.depth === 0)!;
    const { runId } = await h!.service.call('runs.fork', { runId: parent, at: firstTurn.id, edit: { kind: 'reply', text: "Go.\n```repl\nprint(await rlm_query('q', 'context B'))\n```" } });
    await h!.service.waitForRun(runId);
    expect(cellsOf(runId).find((node) => node.depth === 0)!.payload.output).toBe('child saw B\n');
  });

  it('a sub-call asking the root model by name is not served the sub model\'s recorded answer to the same prompt', async () => {
    const parent = await record((req) => (isRlm(req) ? { text: turn(req) === 0 ? "Go.\n```repl\nprint(await llm_query('p'))\n```" : 'FINAL(done)' } : { text: `${req.model} says` }));
    const firstTurn = tree(parent).find((node) => node.kind === 'llm' && node.purpose === 'turn')!;
    const before = h!.fake.requests.length;
    const { runId } = await h!.service.call('runs.fork', { runId: parent, at: firstTurn.id, edit: { kind: 'reply', text: "Go.\n```repl\nprint(await llm_query('p', { model: 'root-model' }))\n```" } });
    await h!.service.waitForRun(runId);
    expect(cellsOf(runId)[0]!.payload.output).toBe('root-model says\n');
    expect(h!.fake.requests.slice(before).filter((req) => !isRlm(req)).map((req) => req.model)).toEqual(['root-model']);
  });

  it('a fork of a run stopped mid-call re-runs what was recorded from the recording and the stopped call live', async () => {
    let hang = true;
    h = await startHarness((req) => {
      if (!isRlm(req)) return hang ? { hang: true } : { text: 'late answer' };
      return { text: turn(req) === 0 ? "Go.\n```repl\nprint(await llm_query('slow'))\n```" : 'FINAL(done)' };
    });
    const { runId: parent } = await h.service.call('runs.start', { query: 'red', inputs: [] });
    while (!h.fake.requests.some((req) => !isRlm(req))) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await h.service.call('runs.stop', { runId: parent })).toEqual({ status: 'stopped' });
    hang = false;
    const before = h.fake.requests.length;
    const { runId } = await h.service.call('runs.fork', { runId: parent });
    expect(await h.service.waitForRun(runId)).toMatchObject({ status: 'completed', answer: 'done', cachedCalls: 1, modelCalls: 2 });
    expect(h.fake.requests.slice(before).map((req) => (isRlm(req) ? `turn ${turn(req)}` : lastUser(req)))).toEqual(['slow', 'turn 1']);
  });

  it('a paused fork takes no step, cached or live, until it is resumed', async () => {
    const parent = await record((req) => {
      if (!isRlm(req)) return { text: 'sub' };
      return { text: turn(req) < 3 ? `Go.\n\`\`\`repl\nprint(${turn(req)})\n\`\`\`` : 'FINAL(done)' };
    });
    const { runId } = await h!.service.call('runs.fork', { runId: parent });
    await expect(h!.service.call('runs.pause', { runId })).resolves.toEqual({ status: 'paused' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const count = tree(runId).length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(tree(runId)).toHaveLength(count);
    expect(tree(runId).filter((node) => node.kind === 'llm')).toHaveLength(0);
    await h!.service.call('runs.resume', { runId });
    expect(await h!.service.waitForRun(runId)).toMatchObject({ status: 'completed', cachedCalls: 4, modelCalls: 0 });
    // Stopped while paused: it ends stopped, with nothing more answered.
    const second = await h!.service.call('runs.fork', { runId: parent });
    await h!.service.call('runs.pause', { runId: second.runId });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const answered = tree(second.runId).filter((node) => node.kind === 'llm').length;
    expect(await h!.service.call('runs.stop', { runId: second.runId })).toEqual({ status: 'stopped' });
    expect(tree(second.runId).filter((node) => node.kind === 'llm')).toHaveLength(answered);
    expect((await h!.service.waitForRun(second.runId)).cachedCalls).toBe(answered);
  });

  it('a cost limit too small for any live call: the cached calls are served, the first live one is refused before a request', async () => {
    const parent = await record((req) => (isRlm(req) ? { text: turn(req) === 0 ? "Go.\n```repl\nprint(await llm_query('p'))\n```" : 'FINAL(done)' } : { text: 'sub' }));
    const lastTurn = tree(parent).filter((node) => node.kind === 'llm' && node.purpose === 'turn')[1]!;
    const before = h!.fake.requests.length;
    const { runId } = await h!.service.call('runs.fork', { runId: parent, at: lastTurn.id, edit: { kind: 'reply', text: "More.\n```repl\nprint(await llm_query('new'))\n```" }, limits: { maxCostUsd: 1e-9 } });
    const summary = await h!.service.waitForRun(runId);
    expect(summary).toMatchObject({ status: 'stopped', stopReason: 'max-cost', cachedCalls: 2, modelCalls: 0 });
    expect(h!.fake.requests.length).toBe(before);
  });

  it('two forks of one run at once, and the parent deleted while a third copies its inputs: each ends whole, nothing is left open or behind', async () => {
    const scratchRoot = mkdtempSync(join(tmpdir(), 'rlm-red-tmp-'));
    h = await startHarness((req) => (isRlm(req) ? { text: turn(req) === 0 ? "Go.\n```repl\nprint(context.length, await llm_query('p'))\n```" : 'FINAL(done)' } : { text: 'sub' }));
    const { runId: parent } = await h.service.call('runs.start', { query: 'red', inputs: [{ kind: 'text', name: 'big', text: 'x'.repeat(20 * 1024 * 1024) }] });
    await h.service.waitForRun(parent);
    process.env.TMPDIR = scratchRoot;
    const [a, b] = await Promise.all([h.service.call('runs.fork', { runId: parent }), h.service.call('runs.fork', { runId: parent })]);
    const [sa, sb] = await Promise.all([h.service.waitForRun(a.runId), h.service.waitForRun(b.runId)]);
    expect(sa).toMatchObject({ status: 'completed', cachedCalls: 3, modelCalls: 0 });
    expect(sb).toMatchObject({ status: 'completed', cachedCalls: 3, modelCalls: 0 });
    // Another parent, whose input no other run shares: deleting it deletes the document being copied.
    const { runId: lone } = await h.service.call('runs.start', { query: 'red', inputs: [{ kind: 'text', name: 'big', text: 'y'.repeat(20 * 1024 * 1024) }] });
    await h.service.waitForRun(lone);
    const third = h.service.call('runs.fork', { runId: lone });
    await new Promise((resolve) => setTimeout(resolve, 0));
    await h.service.call('runs.delete', { runId: lone });
    const outcome = await third.then(
      async ({ runId }) => (await h!.service.waitForRun(runId)).status,
      (error: Error) => error.message,
    );
    expect(outcome === 'completed' || /deleted/.test(outcome), outcome).toBe(true);
    const open = readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/self/fd/${fd}`)];
      } catch {
        return [];
      }
    });
    expect(open.filter((target) => target.includes('rlmscope-fork-'))).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(readdirSync(scratchRoot).filter((name) => name.startsWith('rlmscope-fork-'))).toEqual([]);
  }, 60_000);

  it("a parent deleted between two chunks of an input being copied: the copy fails and leaves no file open", async () => {
    h = await startHarness((req) => (isRlm(req) ? { text: 'FINAL(done)' } : { text: 'sub' }));
    const { runId: parent } = await h.service.call('runs.start', { query: 'red', inputs: [{ kind: 'text', name: 'big', text: 'z'.repeat(20 * 1024 * 1024) }] });
    await h.service.waitForRun(parent);
    const run = h.service.store.getRun(parent)!;
    const db = openDatabase(h.dbPath);
    const scratch = mkdtempSync(join(tmpdir(), 'rlm-red-copy-'));
    try {
      const real = documentRanges(db);
      const deleteRun = prepareRunDeletion(db);
      const ranges = {
        sizeFor: real.sizeFor,
        chunk: (hash: string, idx: number) => {
          if (idx === 1) deleteRun(parent, () => false);
          return real.chunk(hash, idx);
        },
      };
      await expect(rootInputFiles(ranges, run, null, scratch)).rejects.toThrow();
      const open = readdirSync('/proc/self/fd').flatMap((fd) => {
        try {
          return [readlinkSync(`/proc/self/fd/${fd}`)];
        } catch {
          return [];
        }
      });
      expect(open.filter((target) => target.startsWith(scratch))).toEqual([]);
    } finally {
      db.close();
    }
  }, 60_000);

  it('a turn that failed, edited: the edit answers it without a request and the fork goes on', async () => {
    h = await startHarness((req) => (isRlm(req) && turn(req) === 1 ? { status: 400, error: 'bad request' } : { text: turn(req) === 0 ? "Go.\n```repl\nprint(1)\n```" : 'FINAL(late)' }));
    const { runId: parent } = await h.service.call('runs.start', { query: 'red', inputs: [] });
    expect((await h.service.waitForRun(parent)).status).toBe('failed');
    const failed = tree(parent).find((node) => node.kind === 'llm' && node.status === 'failed')!;
    const before = h.fake.requests.length;
    const { runId } = await h.service.call('runs.fork', { runId: parent, at: failed.id, edit: { kind: 'reply', text: 'FINAL(rescued)' } });
    expect(await h.service.waitForRun(runId)).toMatchObject({ status: 'completed', answer: 'rescued', cachedCalls: 1, modelCalls: 0 });
    expect(h.fake.requests.length).toBe(before);
  });

  it("code edits in a ~~~ fence may hold a ``` line; RLMScope's FINAL_VAR cell is refused", async () => {
    const parent = await record((req) => {
      if (!isRlm(req)) return { text: 'sub' };
      return { text: ["Tilde.\n~~~repl\nanswer = 'v'\nprint('a')\n~~~", 'FINAL_VAR(answer)'][turn(req)] ?? 'FINAL(late)' };
    });
    const [tildeCell, finalVar] = cellsOf(parent);
    expect(finalVar!.payload.code).toBe('FINAL_VAR("answer")');
    await expect(h!.service.call('runs.fork', { runId: parent, at: finalVar!.id, edit: { kind: 'code', text: 'FINAL("x")' } })).rejects.toThrow('was not written by the model');
    const code = "answer = ['```', 'fenced'].join(' ')\n/*\n```\n*/\nprint('ok')";
    const { runId } = await h!.service.call('runs.fork', { runId: parent, at: tildeCell!.id, edit: { kind: 'code', text: code } });
    const summary = await h!.service.waitForRun(runId);
    expect(summary).toMatchObject({ status: 'completed', answer: '``` fenced' });
    expect(cellsOf(runId)[0]!.payload).toMatchObject({ code, output: 'ok\n' });
    const reader = openRunReader(h!.dbPath);
    try {
      // The reply differs from the recorded one only inside its ~~~ block: the branch point is the cell's code.
      expect(diffRuns(reader, parent, runId).comparison.firstDivergence).toMatchObject({ a: tildeCell!.id, field: 'code' });
    } finally {
      reader.close();
    }
  });

  it('a 4 MiB reply edit is taken whole and read as any reply (to the parser cap), with no request', async () => {
    const parent = await record((req) => (isRlm(req) ? { text: turn(req) === 0 ? "Go.\n```repl\nprint(1)\n```" : 'FINAL(done)' } : { text: 'sub' }));
    const last = tree(parent).filter((node) => node.kind === 'llm' && node.purpose === 'turn')[1]!;
    const text = `FINAL(big)\n${'p'.repeat(4 * 1024 * 1024 - 11)}`;
    expect(text.length).toBe(4 * 1024 * 1024);
    const before = h!.fake.requests.length;
    const { runId } = await h!.service.call('runs.fork', { runId: parent, at: last.id, edit: { kind: 'reply', text } });
    expect(await h!.service.waitForRun(runId)).toMatchObject({ status: 'completed', answer: 'big', modelCalls: 0 });
    expect(h!.fake.requests.length).toBe(before);
    expect(tree(runId).find((node) => node.payload.forkEdit)!.payload.text).toHaveLength(text.length);
    await expect(h!.service.call('runs.fork', { runId: parent, at: last.id, edit: { kind: 'reply', text: `${text}x` } })).rejects.toThrow('edit.text');
  }, 60_000);

  it('a reply the provider cut at the output cap a tight cost limit sent is not served to a fork with a larger limit', async () => {
    const long = `Thinking. ${'x'.repeat(40_000)}`; // 10,000 tokens: under the usual cap, over what 3 cents leave
    h = await startHarness((req) => (isRlm(req) ? { text: turn(req) === 0 ? long : 'FINAL(done)' } : { text: 'sub' }));
    const { runId: parent } = await h.service.call('runs.start', { query: 'red', inputs: [], limits: { maxCostUsd: 0.03 } });
    await h.service.waitForRun(parent);
    const first = tree(parent).find((node) => node.kind === 'llm')!;
    expect(first.payload.text!.length).toBeLessThan(long.length); // cut at the cap the budget allowed
    const before = h.fake.requests.length;
    const { runId } = await h.service.call('runs.fork', { runId: parent, limits: { maxCostUsd: 5 } });
    expect(await h.service.waitForRun(runId)).toMatchObject({ status: 'completed', answer: 'done', cachedCalls: 0 });
    expect(h.fake.requests.length - before).toBe(2);
    expect(tree(runId).find((node) => node.kind === 'llm')!.payload.text).toBe(long);
  }, 60_000);
});
