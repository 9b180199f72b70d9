// `rlmscope show`: every node's own figures and its subtree's, under separate names, with the
// run's summary equal to the root's subtree; the text view has outputs, errors, durations and
// the child RLMs' subtree cost.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usd } from '../../shared/format';
import { runCli } from '../testing/cli';
import { CliHarness, priced, type Shown, type ShownNode } from '../testing/cliHarness';
import { queryOf, repl, ROOT, SUB, turn } from '../testing/serviceHarness';
import type { FakeRequest } from '../fakeProvider/server';

const h = new CliHarness();
let shown: Shown;
let summary: Record<string, unknown>;
let text = '';

const usage = (prompt_tokens: number, completion_tokens: number) => ({ prompt_tokens, completion_tokens });
const isChild = (req: FakeRequest) => queryOf(req) === 'Count the words';
const isSubCall = (req: FakeRequest) => req.messages.every((m) => m.role !== 'system');

beforeAll(async () => {
  await h.start();
  const input = h.file('words.txt', 'alpha beta gamma delta');
  // The root fails a cell, then starts a child RLM and asks its sub model; the child prints, then answers.
  const { json } = await h.run(
    (req) => {
      if (isSubCall(req)) return { text: 'sub says hi', usage: usage(50, 5) };
      if (isChild(req)) return turn(req) === 0 ? { text: repl('print("child sees", context.length)'), usage: usage(200, 20) } : { text: 'FINAL(4)', usage: usage(300, 10) };
      if (turn(req) === 0) return { text: repl('throw new Error("boom here")'), usage: usage(1000, 100) };
      return { text: repl('const n = await rlm_query("Count the words", context);\nconst s = await llm_query("hi");\nFINAL(n + " " + s)'), usage: usage(1500, 60) };
    },
    'How many words?',
    [input],
  );
  summary = json;
  shown = await h.show(json.runId as string);
  const result = await runCli(['show', json.runId as string, '--db', h.dbPath]);
  expect(result.code).toBe(0);
  text = result.stdout;
}, 60_000);
afterAll(() => h.stop());

const sum = (nodes: ShownNode[], pick: (n: ShownNode) => number) => nodes.reduce((total, n) => total + pick(n), 0);

describe('rlmscope show --json', () => {
  it('gives every node its own figures, and its subtree figures under `subtree`', () => {
    expect(summary).toMatchObject({ status: 'completed', answer: '4 sub says hi' });
    const [root] = shown.nodes;
    const child = shown.nodes.find((n) => n.kind === 'rlm' && n.depth === 1) as ShownNode;
    const calls = shown.nodes.filter((n) => n.kind === 'llm');
    // An RLM or a cell makes no call itself: its own figures are zero.
    for (const n of shown.nodes.filter((x) => x.kind !== 'llm')) expect(n).toMatchObject({ costUsd: 0, inputTokens: 0, outputTokens: 0 });
    // A call's own figures are its usage, priced; its subtree is itself.
    const sub = calls.find((n) => n.purpose === 'sub') as ShownNode;
    expect(sub).toMatchObject({ model: SUB, inputTokens: 50, outputTokens: 5, subtree: { inputTokens: 50, outputTokens: 5, modelCalls: 1 } });
    expect(sub.costUsd).toBeCloseTo(priced(SUB, 50, 5), 12);
    expect(sub.subtree.costUsd).toBeCloseTo(priced(SUB, 50, 5), 12);
    // The child RLM's subtree is its two turns.
    expect(child.subtree).toMatchObject({ inputTokens: 500, outputTokens: 30, modelCalls: 2 });
    expect(child.subtree.costUsd).toBeCloseTo(priced(SUB, 500, 30), 12);
    // The root's subtree is every call of the run.
    expect(root?.subtree).toMatchObject({ inputTokens: sum(calls, (n) => n.inputTokens), outputTokens: sum(calls, (n) => n.outputTokens), modelCalls: calls.length });
    expect(root?.subtree.costUsd).toBeCloseTo(sum(calls, (n) => n.costUsd ?? 0), 12);
    for (const n of shown.nodes) expect(n.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps the run summary equal to the root\'s subtree, in the run, show and runs outputs', () => {
    const root = shown.nodes[0] as ShownNode;
    const figures = { costUsd: summary.costUsd, inputTokens: summary.inputTokens, outputTokens: summary.outputTokens, modelCalls: summary.modelCalls };
    expect(root.subtree).toEqual(figures);
    expect(shown.run).toMatchObject(figures);
    expect(summary.costUsd).toBeCloseTo(priced(ROOT, 2500, 160) + priced(SUB, 550, 35), 12);
  });
});

describe('rlmscope show: exact replay', () => {
  it('says a run recorded now can be replayed exactly, and a cell its host calls', () => {
    expect(shown.run).toMatchObject({ recording: 1, replayable: true, replayableWhy: null });
    const cell = shown.nodes.find((n) => n.kind === 'cell' && n.hostCalls?.calls.length === 2);
    expect(cell?.hostCalls?.calls.map((c) => [c.kind, c.ok])).toEqual([
      ['rlm', true],
      ['llm', true],
    ]);
    expect(text).not.toContain('cannot be replayed exactly');
  });

  it('says a run recorded before exact replay cannot be, and why, in --json and in text', async () => {
    const runId = summary.runId as string;
    const db = new Database(h.dbPath);
    db.prepare('UPDATE runs SET recording = 0 WHERE id = ?').run(runId);
    db.close();
    const json = await runCli(['show', runId, '--db', h.dbPath, '--json']);
    const old = (JSON.parse(json.stdout) as Shown).run;
    expect(old).toMatchObject({ recording: 0, replayable: false, replayableWhy: expect.stringMatching(/^recorded before exact replay: /) });
    const plain = await runCli(['show', runId, '--db', h.dbPath]);
    expect(plain.stdout).toMatch(/^cannot be replayed exactly: recorded before exact replay: /m);
  });
});

describe('rlmscope show', () => {
  it('gives cell outputs and errors, durations, and each child RLM\'s subtree cost', () => {
    const child = shown.nodes.find((n) => n.kind === 'rlm' && n.depth === 1) as ShownNode;
    expect(text).toMatch(/^\s+output: child sees 22$/m);
    expect(text).toMatch(/^\s+error: .*boom here/m);
    const childLine = text.split('\n').find((line) => line.includes(`#${child.id} rlm`));
    expect(childLine).toContain(`(subtree ${usd(child.subtree.costUsd as number)}, 2 calls)`);
    // Every node line ends its figures with how long it took.
    const nodeLines = text.split('\n').filter((line) => /^\s*#\d+ /.test(line));
    expect(nodeLines).toHaveLength(shown.nodes.length);
    for (const line of nodeLines) expect(line).toMatch(/ \d+ ms |\d+\.\d s /);
  });
});
