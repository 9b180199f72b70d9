// `rlmscope import` through the built command: the reference logs in, their runs listed as
// imported and shown under the same contract as native ones, a file that is no log refused
// with one line while the others still import.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonOf, runCli } from '../testing/cli';
import type { Shown } from '../testing/cliHarness';
import { block, childCall, iteration, jsonl, metadata, subCall } from '../testing/rlmsLogs';

const dir = mkdtempSync(join(tmpdir(), 'rlm-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIXTURES = join(__dirname, '..', 'interop', 'rlmsLog', 'fixtures');
const TRACE = join(FIXTURES, 'trace-log-example.jsonl');
const MAXITER = join(FIXTURES, 'maxiter_2026-11-25_10-58-31_060600ff.jsonl');

/** The summary fields of `run --json` (format.ts summaryJson), which import --json repeats. */
const SUMMARY_KEYS = ['runId', 'status', 'answer', 'answerChars', 'stopReason', 'error', 'errorChars', 'costUsd', 'inputTokens', 'outputTokens', 'modelCalls', 'iterations', 'maxDepthReached', 'durationMs', 'origin', 'source', 'forkedFrom', 'cachedCalls', 'signals'];

interface Summary {
  runId: string;
  status: string;
  answer: string | null;
  iterations: number;
  costUsd: number | null;
  origin: string;
  source: string;
}

let n = 0;
const newDb = () => join(dir, `runs-${++n}.db`);

/** What the database holds, read without the CLI. */
function contents(db: string) {
  const sqlite = new Database(db, { readonly: true });
  try {
    return {
      runs: sqlite.prepare(`SELECT id, origin, source FROM runs ORDER BY id`).all(),
      nodes: (sqlite.prepare(`SELECT count(*) AS n FROM nodes`).get() as { n: number }).n,
      payloads: (sqlite.prepare(`SELECT count(*) AS n FROM node_payloads`).get() as { n: number }).n,
      // Runs whose encoded node index is stored whole: its last chunk holds fewer than 1,000 nodes (INDEX_CHUNK).
      indexed: (sqlite.prepare(`SELECT count(DISTINCT run_id) AS n FROM node_index_chunks WHERE count < 1000`).get() as { n: number }).n,
    };
  } finally {
    sqlite.close();
  }
}

describe('rlmscope import', () => {
  it('--json prints one summary per imported run, in file order, marked imported with its file name', async () => {
    const db = newDb();
    const result = await runCli(['import', TRACE, MAXITER, '--db', db, '--json']);
    expect(result.code).toBe(0);
    const { runs } = jsonOf<{ runs: Summary[] }>(result);
    expect(Object.keys(jsonOf(result))).toEqual(['runs']);
    expect(runs.map((r) => r.answer)).toEqual(['random_number', '15', '"Blue"', '"I pick the color blue."', 'x is set to 500.', '1000', 'best-effort final answer']);
    expect(runs.map((r) => r.iterations)).toEqual([4, 3, 3, 1, 3, 3, 4]);
    expect(runs.map((r) => r.source)).toEqual([...Array(6).fill('trace-log-example.jsonl'), 'maxiter_2026-11-25_10-58-31_060600ff.jsonl']);
    for (const run of runs) {
      expect(Object.keys(run)).toEqual(SUMMARY_KEYS);
      expect(run).toMatchObject({ status: 'completed', origin: 'imported', costUsd: null, signals: [] });
    }
    // The per-file lines go to stderr, so that stdout is the JSON alone.
    expect(result.stderr).toContain('trace-log-example.jsonl: 6 runs imported');
    expect(result.stderr).toContain('maxiter_2026-11-25_10-58-31_060600ff.jsonl: 1 run imported');
    // Each run's node index was stored encoded before the command closed the database.
    expect(contents(db).indexed).toBe(7);

    const listed = await runCli(['runs', '--db', db]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n')).toHaveLength(7);
    for (const line of listed.stdout.trim().split('\n')) expect(line).toContain('[imported]');
    const listedJson = jsonOf<Summary[]>(await runCli(['runs', '--db', db, '--json']));
    expect(new Set(listedJson.map((r) => r.origin))).toEqual(new Set(['imported']));
  });

  it('refuses a file that is no log with one line and a non-zero exit, imports the others, and leaves the database as it was for it', async () => {
    const db = newDb();
    expect((await runCli(['import', MAXITER, '--db', db])).code).toBe(0);
    const before = contents(db);
    const notLog = join(dir, 'notes.txt');
    writeFileSync(notLog, 'shopping list\neggs\n');
    const alone = await runCli(['import', notLog, '--db', db]);
    expect(alone.code).toBe(1);
    expect(alone.stdout).toBe('');
    expect(alone.stderr.trim().split('\n')).toEqual(['rlmscope: notes.txt: The file holds no record of the reference library (metadata, run_context or iteration): it is not an rlms log.']);
    expect(contents(db)).toEqual(before);

    const mixed = await runCli(['import', notLog, TRACE, '--db', db, '--json']);
    expect(mixed.code).toBe(1);
    expect(jsonOf<{ runs: Summary[] }>(mixed).runs).toHaveLength(6);
    expect(mixed.stderr).toMatch(/^rlmscope: notes\.txt: /m);
    expect(contents(db).runs).toHaveLength(7);
  });

  it('gives two runs for a file imported twice, and reports bad lines as warnings', async () => {
    const db = newDb();
    const log = join(dir, 'twice.jsonl');
    writeFileSync(log, `${jsonl([metadata(), iteration(1, { final_answer: 'same' })])}{"broken\n`);
    const first = await runCli(['import', log, '--db', db, '--json']);
    const second = await runCli(['import', log, '--db', db, '--json']);
    expect([first.code, second.code]).toEqual([0, 0]);
    const ids = [jsonOf<{ runs: Summary[] }>(first).runs[0]?.runId, jsonOf<{ runs: Summary[] }>(second).runs[0]?.runId];
    expect(ids[0]).not.toBe(ids[1]);
    expect(contents(db).runs).toHaveLength(2);
    expect(first.stderr).toContain('twice.jsonl: 1 run imported, 1 warning');
    expect(first.stderr).toMatch(/^warning: .*twice\.jsonl: line 3 is not JSON/m);
  });

  it('shows an imported run under the contract of a native one, with python cells', async () => {
    const db = newDb();
    const log = join(dir, 'nested.jsonl');
    const child = childCall('child?', 'child answer', [iteration(1, { code_blocks: [block({ code: 'x = 1', calls: [subCall('leaf?', 'leaf')] })], final_answer: 'child answer' })]);
    writeFileSync(log, jsonl([metadata(), iteration(1, { code_blocks: [block({ code: "print('hi')", stdout: 'hi\n', stderr: 'NameError: y', calls: [child] })] }), iteration(2, { code_blocks: [], final_answer: 'done' })]));
    const imported = jsonOf<{ runs: Summary[] }>(await runCli(['import', log, '--db', db, '--json']));
    const runId = imported.runs[0]!.runId;
    const shown = await runCli(['show', runId, '--db', db, '--json']);
    expect(shown.code).toBe(0);
    const { run, nodes } = jsonOf<Shown>(shown);
    expect(run).toMatchObject({ runId, origin: 'imported', source: 'nested.jsonl', answer: 'done', status: 'completed' });
    const summary = (kind: string, parentId: number | null, seq: number, depth: number) => ({ kind, parentId, seq, depth });
    expect(nodes.map((node) => summary(node.kind, node.parentId, node.seq, node.depth))).toEqual([
      summary('rlm', null, 0, 0),
      summary('llm', 1, 0, 0),
      summary('cell', 1, 1, 0),
      summary('rlm', 3, 0, 1),
      summary('llm', 4, 0, 1),
      summary('cell', 4, 1, 1),
      summary('llm', 6, 0, 1),
      summary('llm', 1, 2, 0),
    ]);
    expect(nodes.map((node) => node.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(nodes[0]).toMatchObject({ answer: 'done' });
    expect(nodes[1]).toMatchObject({ purpose: 'turn', text: expect.stringMatching(/^reply 1/), costUsd: null });
    expect(nodes[2]).toMatchObject({ code: "print('hi')", output: 'hi\n', error: 'NameError: y', status: 'failed', language: 'python' });
    expect(nodes[3]).toMatchObject({ query: 'child?', answer: 'child answer', model: 'child-model' });
    expect(nodes[5]).toMatchObject({ code: 'x = 1', language: 'python' });
    expect(nodes[6]).toMatchObject({ purpose: 'sub', text: 'leaf', inputTokens: 10, outputTokens: 5, costUsd: 0.01 });
    // Three turns of unknown usage, one priced sub-call: the run's cost is unknown, never $0.
    expect(nodes[0]?.subtree).toEqual({ costUsd: null, inputTokens: 10, outputTokens: 5, modelCalls: 4 });

    const text = await runCli(['show', runId, '--db', db]);
    expect(text.stdout).toContain('imported from nested.jsonl (never re-executed)');
  });

  it('shows the escape sequences of a hostile log, never sends them to the terminal (runs, show, import)', async () => {
    const db = newDb();
    // Clear the screen, set the window title and write the clipboard (OSC 52), from a log anyone may have written.
    const evil = '\u001b[2J\u001b]0;pwned\u0007\u001b]52;c;ZWNobyBoaQ==\u0007\u009b31m\r';
    const log = join(dir, 'evil.jsonl');
    writeFileSync(log, jsonl([metadata(), iteration(1, { response: `hello${evil}`, code_blocks: [block({ stdout: `out${evil}\r\n`, stderr: `err${evil}` })], final_answer: `answer${evil}` })]));
    const imported = await runCli(['import', log, '--db', db]);
    expect(imported.code).toBe(0);
    const runId = /r-\S+/.exec(imported.stdout)![0];
    const listed = await runCli(['runs', '--db', db]);
    const shown = await runCli(['show', runId, '--db', db]);
    for (const result of [imported, listed, shown]) {
      expect(result.code).toBe(0);
      // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
    // Shown as the pictures of the characters, so a reader sees they were there.
    expect(shown.stdout).toContain('answer\u241b[2J\u241b]0;pwned\u2407');
    expect(shown.stdout).toContain('out\u241b[2J');
    // --json and --answer are for programs: exactly as stored (JSON escapes the controls).
    const json = jsonOf<{ run: { answer: string } }>(await runCli(['show', runId, '--db', db, '--json']));
    expect(json.run.answer).toBe(`answer${evil}`);
    expect((await runCli(['show', runId, '--db', db, '--answer'])).stdout).toBe(`answer${evil}`);
  });
});
