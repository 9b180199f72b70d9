// The import pipeline against a real SQLite file: the reference logs (figures counted by hand in
// rlmsLog/referenceLogs.test.ts), hand-made logs of our own shapes, and files that are no log.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NodeRow } from '../../shared/domain/node';
import { RlmError } from '../../shared/errors';
import { PriceTable } from '../model/prices';
import { RunRepository } from '../store/runRepository';
import type { WholeRun } from '../store/runWrites';
import { block, childCall, iteration, jsonl, metadata, subCall } from '../testing/rlmsLogs';
import { tempDatabase, tempFolder } from '../testing/tempDatabase';
import { importFile, type ImportProgress } from './importRuns';
import { UNKNOWN_USAGE_NOTE } from './logRun';

const fixture = (name: string) => join(__dirname, 'rlmsLog', 'fixtures', name);

function setup() {
  const { db } = tempDatabase();
  const store = new RunRepository(db);
  const deps = { store, prices: PriceTable.withDefaults(), assumeUtc: true };
  const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { db, store, deps, count };
}

function writeLog(text: string | Buffer, name = 'hand.jsonl'): string {
  const path = join(tempFolder(), name);
  writeFileSync(path, text);
  return path;
}

const ofKind = (nodes: NodeRow[], kind: NodeRow['kind'], purpose?: NodeRow['purpose']) => nodes.filter((n) => n.kind === kind && (purpose === undefined || n.purpose === purpose));

describe('importFile', () => {
  it('imports the January gpt-4o log: six runs with their turns, cells and answers', async () => {
    const { store, deps } = setup();
    const progress: ImportProgress[] = [];
    const result = await importFile(fixture('trace-log-example.jsonl'), deps, { onProgress: (p) => progress.push(p) });
    // Figures of referenceLogs.test.ts, counted by hand with python3.
    const expected = [
      { iterations: 4, blocks: 3, answer: 'random_number' },
      { iterations: 3, blocks: 2, answer: '15' },
      { iterations: 3, blocks: 1, answer: '"Blue"' },
      { iterations: 1, blocks: 0, answer: '"I pick the color blue."' },
      { iterations: 3, blocks: 2, answer: 'x is set to 500.' },
      { iterations: 3, blocks: 2, answer: '1000' },
    ];
    expect(result.source).toBe('trace-log-example.jsonl');
    expect(result.warnings).toEqual([]);
    expect(result.runs.map((r) => ({ iterations: r.iterations, answer: r.answer }))).toEqual(expected.map(({ iterations, answer }) => ({ iterations, answer })));
    expect(progress.at(-1)).toEqual({ bytesRead: 146_969, totalBytes: 146_969 });
    for (const [i, summary] of result.runs.entries()) {
      const want = expected[i]!;
      expect(summary).toMatchObject({ status: 'completed', origin: 'imported', source: 'trace-log-example.jsonl', rootModel: 'gpt-4o', maxDepthReached: 0 });
      // The log gives no usage for the root's turns: each is a call of unknown cost, never $0.
      expect(summary).toMatchObject({ costUsd: null, unpricedCalls: want.iterations, modelCalls: want.iterations, pricedCostUsd: 0 });
      const nodes = store.getNodes(summary.runId);
      expect(ofKind(nodes, 'rlm')).toHaveLength(1);
      expect(ofKind(nodes, 'llm', 'turn')).toHaveLength(want.iterations);
      const cells = ofKind(nodes, 'cell');
      expect(cells).toHaveLength(want.blocks);
      for (const cell of cells) expect(store.getPayload(summary.runId, cell.id)?.language).toBe('python');
      expect(store.getPayload(summary.runId, 1)?.answer).toBe(want.answer);
      expect(store.getPayload(summary.runId, ofKind(nodes, 'llm')[0]!.id)?.notes).toContain(UNKNOWN_USAGE_NOTE);
    }
    expect(store.getPayload(result.runs[0]!.runId, 3)).toMatchObject({ code: 'print(completion_context)', output: 'Generate a random number between 1 and 100.\n' });
  });

  it('imports the iteration-limit log as one completed run stopped at the limit, with its answer', async () => {
    const { store, deps } = setup();
    const { runs, warnings } = await importFile(fixture('maxiter_2026-11-25_10-58-31_060600ff.jsonl'), deps);
    expect(warnings).toEqual([]);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'completed', stopReason: 'max-iterations', answer: 'best-effort final answer', iterations: 4, rootModel: 'scripted-model' });
    const nodes = store.getNodes(runs[0]!.runId);
    expect(nodes.map((n) => n.kind)).toEqual(['rlm', 'llm', 'cell', 'llm', 'cell', 'llm', 'cell', 'llm']);
    expect(store.getRun(runs[0]!.runId)?.limits.maxIterations).toBe(3);
    expect(store.getPayload(runs[0]!.runId, 1)?.notes?.[0]).toBe(
      'Imported from maxiter_2026-11-25_10-58-31_060600ff.jsonl, lines 2–5: a log of the reference library (rlms); backend openai, environment local, max_depth 1, max_iterations 3. Its code is Python and is never re-executed.',
    );
  });

  it('keeps parent links and RLM depths of children nested three deep, with subtree totals equal to the sums', async () => {
    const { store, deps } = setup();
    const leaf = subCall('leaf?', 'leaf');
    const level3 = childCall('level 3', 'answer 3', [iteration(1, { code_blocks: [block({ calls: [leaf] })], final_answer: 'answer 3' })]);
    const level2 = childCall('level 2', 'answer 2', [iteration(1, { code_blocks: [block({ calls: [level3] })], final_answer: 'answer 2' })]);
    const level1 = childCall('level 1', 'answer 1', [iteration(1, { code_blocks: [block({ calls: [level2] })], final_answer: 'answer 1' })]);
    const gpt = subCall('priced?', 'priced', { root_model: 'gpt-4o', usage_summary: undefined, prompt_tokens: 1000, completion_tokens: 100 });
    const path = writeLog(jsonl([metadata(), iteration(1, { code_blocks: [block({ calls: [level1, subCall('side?', 'side'), gpt] })] }), iteration(2, { code_blocks: [], final_answer: 'done' })]));
    const { runs } = await importFile(path, deps);
    expect(runs).toHaveLength(1);
    const nodes = store.getNodes(runs[0]!.runId);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const rlms = ofKind(nodes, 'rlm');
    expect(rlms.map((n) => n.depth)).toEqual([0, 1, 2, 3]);
    // Each child RLM hangs under the cell whose code started it, in the RLM one level up.
    for (const child of rlms.slice(1)) {
      const cell = byId.get(child.parentId!)!;
      expect(cell.kind).toBe('cell');
      expect(byId.get(cell.parentId!)?.depth).toBe(child.depth - 1);
    }
    const leafNode = ofKind(nodes, 'llm', 'sub').find((n) => n.label === 'leaf?')!;
    expect(leafNode).toMatchObject({ depth: 3, inputTokens: 10, outputTokens: 5, costUsd: 0.01 });
    expect(byId.get(leafNode.parentId!)?.kind).toBe('cell');
    // tokens from the log, cost from the price table: gpt-4o at $2.5 / $10 per million.
    expect(ofKind(nodes, 'llm', 'sub').find((n) => n.label === 'priced?')?.costUsd).toBeCloseTo((1000 * 2.5 + 100 * 10) / 1e6, 12);
    // Every node's subtree is the sum of its own figures and its descendants', summed here by parent links.
    for (const node of nodes) {
      let calls = 0;
      let unpriced = 0;
      let input = 0;
      let priced = 0;
      for (const other of nodes) {
        let at: NodeRow | undefined = other;
        while (at && at.id !== node.id) at = at.parentId === null ? undefined : byId.get(at.parentId);
        // Every model call of an imported run counts, its tokens where the log gives them.
        if (!at || other.kind !== 'llm') continue;
        calls++;
        input += other.inputTokens ?? 0;
        if (other.costUsd === null) unpriced++;
        else priced += other.costUsd;
      }
      expect(node.subtree).toMatchObject({ modelCalls: calls, unpricedCalls: unpriced, inputTokens: input });
      expect(node.subtree.pricedCostUsd).toBeCloseTo(priced, 12);
    }
    // A call the log gives no usage for has unknown tokens, not 0 (shown as unknown, domain/node.ts usageUnknown).
    const unknown = ofKind(nodes, 'llm').filter((n) => n.depth > 0 && n.purpose === 'turn');
    expect(unknown).toHaveLength(3);
    for (const turn of unknown) expect(turn).toMatchObject({ inputTokens: null, outputTokens: null, costUsd: null, usageEstimated: true });
    // 2 root turns + 3 child turns (unknown usage), 3 priced sub-calls.
    expect(runs[0]).toMatchObject({ modelCalls: 8, unpricedCalls: 5, costUsd: null, inputTokens: 1020, maxDepthReached: 3, iterations: 5, answer: 'done' });
    expect(runs[0]!.pricedCostUsd).toBeCloseTo(0.02 + 0.0035, 12);
  });

  it('fails a run whose log ends without an answer, and stops one that hit the limit without one', async () => {
    const { deps } = setup();
    const limitRecord = iteration(6, { code_blocks: [], iteration_time: null, final_answer: null });
    const path = writeLog(jsonl([metadata(), iteration(1), iteration(2), iteration(1), iteration(2), iteration(3), iteration(4), iteration(5), limitRecord]));
    const { runs } = await importFile(path, deps);
    expect(runs.map((r) => [r.status, r.stopReason, r.answer])).toEqual([
      ['failed', 'no-answer', null],
      ['stopped', 'max-iterations', null],
    ]);
    expect(runs[0]!.error).toMatch(/^the log ends without an answer/);
  });

  it('imports the good runs of a half-good file and names its bad lines', async () => {
    const { deps } = setup();
    const good = jsonl([metadata(), iteration(1, { final_answer: 'a' }), iteration(1, { final_answer: 'b' })]);
    const path = writeLog(`${good}{"type": "iteration", "iter\nnot json at all\n`);
    const { runs, warnings } = await importFile(path, deps);
    expect(runs.map((r) => r.answer)).toEqual(['a', 'b']);
    expect(warnings).toEqual([expect.stringMatching(/^line 4 is not JSON/), expect.stringMatching(/^line 5 is not JSON/)]);
  });

  it('gives two runs for the same file imported twice', async () => {
    const { deps, store } = setup();
    const path = writeLog(jsonl([metadata(), iteration(1, { final_answer: 'once' })]));
    const first = await importFile(path, deps);
    const second = await importFile(path, deps);
    expect(first.runs[0]!.runId).not.toBe(second.runs[0]!.runId);
    expect(store.listRuns({ limit: 10, offset: 0 }).map((r) => r.answer)).toEqual(['once', 'once']);
  });

  it('draws another run id when the one drawn is taken', async () => {
    const { deps } = setup();
    const ids = ['same', 'same', 'same', 'other'];
    const path = writeLog(jsonl([metadata(), iteration(1, { final_answer: 'a' }), iteration(1, { final_answer: 'b' })]));
    const { runs } = await importFile(path, { ...deps, newRunId: () => ids.shift() ?? 'spent' });
    expect(runs.map((r) => [r.runId, r.answer])).toEqual([
      ['same', 'a'],
      ['other', 'b'],
    ]);
  });

  it.each([
    ['empty.jsonl', '', /^empty\.jsonl: The file is empty/],
    ['picture.jsonl', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]), /^picture\.jsonl: The file is not a log: it is a PNG image/],
    ['array.json', JSON.stringify([metadata(), iteration(1)], null, 2), /^array\.json: The file is one JSON array/],
    ['notes.txt', 'just some notes\nof mine\n', /^notes\.txt: The file holds no record of the reference library/],
  ])('refuses %s with one line naming it, and changes nothing', async (name, content, message) => {
    const { deps, count } = setup();
    const error = await importFile(writeLog(content, name), deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RlmError);
    expect((error as RlmError).message).toMatch(message);
    expect((error as RlmError).message).not.toContain('\n');
    expect([count('runs'), count('nodes'), count('node_payloads')]).toEqual([0, 0, 0]);
  });

  it('writes each run as it ends: a cancel part way keeps the runs written before it, each whole, and nothing of the rest', async () => {
    const { db, deps, count } = setup();
    const controller = new AbortController();
    // The real store, cancelling the import from inside the second run's write, as a click would.
    class CancelAfterTwo extends RunRepository {
      written = 0;
      override insertWholeRun(run: WholeRun) {
        const summary = super.insertWholeRun(run);
        if (++this.written === 2) controller.abort(new Error('cancelled by the user'));
        return summary;
      }
    }
    const store = new CancelAfterTwo(db);
    const records = [metadata()];
    for (let run = 0; run < 5; run++) records.push(iteration(1), iteration(2, { final_answer: `answer ${run}` }));
    const error = await importFile(writeLog(jsonl(records)), { ...deps, store }, { signal: controller.signal }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('cancelled by the user');
    expect(store.written).toBe(2);
    const runs = store.listRuns({ limit: 100, offset: 0 });
    expect(runs.map((r) => r.answer).sort()).toEqual(['answer 0', 'answer 1']);
    // Each whole: the root, two turns and two cells, every node with its payload.
    for (const run of runs) expect(store.getNodes(run.runId)).toHaveLength(5);
    expect([count('runs'), count('nodes'), count('node_payloads')]).toEqual([2, 10, 10]);
  });

  it('says which runs stay when a write fails part way', async () => {
    const { db, deps, count } = setup();
    class FullAtThird extends RunRepository {
      written = 0;
      override insertWholeRun(run: WholeRun) {
        if (++this.written === 3) throw new RlmError('STORE_FAILED', 'insertWholeRun: database or disk is full');
        return super.insertWholeRun(run);
      }
    }
    const ids = ['r-1', 'r-2', 'r-3', 'r-4'];
    const records = [metadata()];
    for (let run = 0; run < 4; run++) records.push(iteration(1, { final_answer: `answer ${run}` }));
    const store = new FullAtThird(db);
    const error = await importFile(writeLog(jsonl(records), 'four.jsonl'), { ...deps, store, newRunId: () => ids.shift() ?? 'spent' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RlmError);
    expect((error as RlmError).code).toBe('STORE_FAILED');
    expect((error as RlmError).message).toBe('insertWholeRun: database or disk is full (the 2 runs before it stay imported: r-1, r-2)');
    expect(count('runs')).toBe(2);
  });

  it('names a missing file and a folder', async () => {
    const { deps } = setup();
    await expect(importFile(join(tempFolder(), 'gone.jsonl'), deps)).rejects.toThrow(/^gone\.jsonl: no such file$/);
    const folder = tempFolder();
    await expect(importFile(folder, deps, { name: 'logs' })).rejects.toThrow(/^logs: is a folder, not a file$/);
  });
});
