// `rlmscope replay` through the built CLI: a real run on the fake provider, replayed from its
// recording with no request to the provider; an altered recording diverges at its cell; old and
// imported runs are refused with one line (exit 2).
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayResult } from '../debugger/replay';
import type { FakeRequest } from '../fakeProvider/server';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonOf, runCli, startCli } from '../testing/cli';
import { CliHarness } from '../testing/cliHarness';
import { block, iteration, jsonl, metadata } from '../testing/rlmsLogs';
import { repl, turn } from '../testing/serviceHarness';

const h = new CliHarness();
const isSubCall = (req: FakeRequest) => req.messages.every((m) => m.role !== 'system');
let runId = '';
let cells: number[] = [];

function script(req: FakeRequest) {
  if (isSubCall(req)) return { text: `echo: ${req.messages[0]?.content ?? ''}` };
  const replies = [
    repl('const s = await llm_query("say hello");\nconst b = await llm_query_batched(["one", "two"]);\nprint(s, b.join("+"), Math.random(), Date.now())'),
    repl('print(`line one\\n${s} at ${new Date().toISOString()}`)'),
    'FINAL(done)',
  ];
  return { text: replies[turn(req)] ?? 'FINAL(done)' };
}

const replay = (...args: string[]) => runCli(['replay', ...args, '--db', h.dbPath]);

beforeAll(async () => {
  await h.start();
  const run = await h.run(script, 'What is here?', [h.file('input.txt', 'some context')]);
  expect(run.result.code).toBe(0);
  runId = run.json.runId as string;
  cells = (await h.show(runId)).nodes.filter((n) => n.kind === 'cell').map((n) => n.id);
  expect(cells).toHaveLength(2);
}, 60_000);
afterAll(() => h.stop());

describe('rlmscope replay', () => {
  it('reproduces every cell with no request to the provider, and exits 0', async () => {
    const requests = h.fake.requests.length;
    const result = await replay(runId, '--json');
    expect(result.code).toBe(0);
    expect(jsonOf<ReplayResult>(result)).toEqual({ runId, cells: 2, reproduced: 2, diverged: [], modelCalls: 0 });
    const text = await replay(runId);
    expect(text.stdout).toBe(`run ${runId} replayed exactly: 2 of 2 cells reproduced, no model calls\n`);
    expect(h.fake.requests.length).toBe(requests);
  }, 60_000);

  it('reports a cell whose recorded output was altered, with its first differing line, and exits 1', async () => {
    const db = new Database(h.dbPath);
    const select = db.prepare<[string, number], { body: string }>('SELECT body FROM node_payloads WHERE run_id = ? AND node_id = ?');
    const original = select.get(runId, cells[1]!)!.body;
    const output = (JSON.parse(original) as { output: string }).output;
    db.prepare(`UPDATE node_payloads SET body = json_set(body, '$.output', ?) WHERE run_id = ? AND node_id = ?`).run(output.replace('echo', 'ECHO'), runId, cells[1]!);
    try {
      const json = await replay(runId, '--json');
      expect(json.code).toBe(1);
      expect(jsonOf<ReplayResult>(json).diverged).toEqual([{ nodeId: cells[1]!, expected: output.replace('echo', 'ECHO'), actual: output }]);
      const text = await replay(runId);
      expect(text.code).toBe(1);
      const secondLine = output.split('\n')[1]!;
      expect(text.stdout).toBe(
        [
          `run ${runId} diverged: 1 of 2 cells reproduced, 1 diverged, no model calls`,
          `cell #${cells[1]} (cell 2 of RLM #1), line 2:`,
          `  expected: ${JSON.stringify(secondLine.replace('echo', 'ECHO'))}`,
          `  actual:   ${JSON.stringify(secondLine)}`,
          '',
        ].join('\n'),
      );
    } finally {
      db.prepare('UPDATE node_payloads SET body = ? WHERE run_id = ? AND node_id = ?').run(original, runId, cells[1]!);
      db.close();
    }
  }, 60_000);

  it('refuses a run recorded before exact replay and an imported run with one line, exit 2', async () => {
    const db = new Database(h.dbPath);
    db.prepare('UPDATE runs SET recording = 0 WHERE id = ?').run(runId);
    try {
      const old = await replay(runId);
      expect(old.code).toBe(2);
      expect(old.stderr).toMatch(new RegExp(`^rlmscope: run ${runId} cannot be replayed exactly: recorded before exact replay: [^\\n]+\\n$`));
    } finally {
      db.prepare('UPDATE runs SET recording = 1 WHERE id = ?').run(runId);
      db.close();
    }
    const log = h.file('run.jsonl', jsonl([metadata(), iteration(1, { code_blocks: [block({ code: "print('hi')", stdout: 'hi\n' })], final_answer: 'done' })]));
    const imported = await runCli(['import', log, '--json', '--db', h.dbPath]);
    expect(imported.code).toBe(0);
    const importedId = jsonOf<{ runs: Array<{ runId: string }> }>(imported).runs[0]!.runId;
    const refused = await replay(importedId);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`rlmscope: run ${importedId} was imported from run.jsonl: its code is Python, recorded by the reference library: it is never re-executed\n`);
    expect(refused.stdout).toBe('');
  }, 60_000);

  it('rebuilds an input in another encoding than UTF-8 as the run read it', async () => {
    const echo = (req: FakeRequest) => ({ text: turn(req) === 0 ? repl('print(context, context.length)') : 'FINAL(done)' });
    const latin = h.file('latin.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x0a]));
    const utf16 = h.file('utf16.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('naïve\n', 'utf16le')]));
    for (const file of [latin, utf16]) {
      const run = await h.run(echo, 'What is here?', [file]);
      expect(run.result.code).toBe(0);
      const replayed = await replay(run.json.runId as string, '--json');
      expect(jsonOf<ReplayResult>(replayed)).toMatchObject({ cells: 1, reproduced: 1, diverged: [] });
    }
  }, 60_000);

  it('stops on Ctrl-C with one line and exit 2, its temporary copies of the inputs removed', async () => {
    const busy = (req: FakeRequest) => ({ text: turn(req) === 0 ? repl('let x = 0; for (let i = 0; i < 1e9; i++) x += i % 7; print(x > 0)') : 'FINAL(done)' });
    // A cell that works until its time is up (3 s), recorded and replayed alike.
    const run = await h.run(busy, 'Busy?', [h.file('busy.txt', 'some busy context')], '--cell-timeout-ms', '3000');
    expect(run.result.code).toBe(0);
    const tmp = mkdtempSync(join(tmpdir(), 'replay-tmp-'));
    const { child, result } = startCli(['replay', run.json.runId as string, '--db', h.dbPath], { TMPDIR: tmp });
    // Once the copy of the input exists, the busy cell is about to run.
    for (let i = 0; i < 200 && readdirSync(tmp).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill('SIGINT');
    const ended = await result;
    expect(ended.code).toBe(2);
    expect(ended.stderr).toBe('rlmscope: the replay was interrupted\n');
    expect(readdirSync(tmp)).toEqual([]);
    // Left alone, the cell that ran out of time replays to the same TimeoutError.
    const whole = await runCli(['replay', run.json.runId as string, '--json', '--db', h.dbPath]);
    expect(jsonOf<ReplayResult>(whole)).toMatchObject({ cells: 1, reproduced: 1, diverged: [] });
  }, 120_000);
});
