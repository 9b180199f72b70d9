// `rlmscope diff`: two real runs of the same script through the built CLI and the fake provider,
// differing in one reply: the first divergence is that turn, and the exit code says whether the
// runs differ.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunComparison } from '../../shared/domain/comparison';
import { jsonOf, runCli } from '../testing/cli';
import { CliHarness, type Shown } from '../testing/cliHarness';
import { repl, turn } from '../testing/serviceHarness';
import type { FakeRequest } from '../fakeProvider/server';

const h = new CliHarness();
const isSubCall = (req: FakeRequest) => req.messages.every((m) => m.role !== 'system');
let runA = '';
let runB = '';
let shownA: Shown;
let shownB: Shown;

/** The same three turns, but the second turn's code prints `second`. */
function script(second: string) {
  return (req: FakeRequest) => {
    if (isSubCall(req)) return { text: 'hello', usage: { prompt_tokens: 10, completion_tokens: 2 } };
    const replies = [repl('const s = await llm_query("say hello");\nprint(s)'), repl(`print(${JSON.stringify(second)})`), 'FINAL(done)'];
    return { text: replies[turn(req)] ?? 'FINAL(done)', usage: { prompt_tokens: 100, completion_tokens: turn(req) === 1 ? second.length : 5 } };
  };
}

beforeAll(async () => {
  await h.start();
  const input = h.file('input.txt', 'some context');
  const a = await h.run(script('two'), 'What is here?', [input]);
  const b = await h.run(script('three, differently'), 'What is here?', [input]);
  expect([a.result.code, b.result.code]).toEqual([0, 0]);
  runA = a.json.runId as string;
  runB = b.json.runId as string;
  [shownA, shownB] = await Promise.all([h.show(runA), h.show(runB)]);
}, 60_000);
afterAll(() => h.stop());

const secondTurn = (shown: Shown) => shown.nodes.filter((n) => n.kind === 'llm' && n.purpose === 'turn' && n.depth === 0)[1];

describe('rlmscope diff', () => {
  it('names the turn whose reply differs, with --json in the documented shape, and exits 1', async () => {
    const result = await runCli(['diff', runA, runB, '--db', h.dbPath, '--json']);
    expect(result.code).toBe(1);
    const diff = jsonOf<RunComparison>(result);
    expect(Object.keys(diff)).toEqual(['a', 'b', 'firstDivergence', 'pairs', 'delta']);
    expect(diff.firstDivergence).toEqual({ a: secondTurn(shownA)?.id, b: secondTurn(shownB)?.id, field: 'text' });
    expect(diff.pairs).toHaveLength(shownA.nodes.length);
    // The turn, the cell it wrote (code and output) and the root (its prompt history is not compared, its answer is the same).
    const differing = diff.pairs.filter((p) => !p.same).map((p) => shownA.nodes.find((n) => n.id === p.a)?.kind);
    expect(differing).toEqual(['llm', 'cell']);
    expect(diff.delta).toEqual({
      costUsd: (shownB.run.costUsd as number) - (shownA.run.costUsd as number),
      inputTokens: 0,
      outputTokens: 'three, differently'.length - 'two'.length,
      modelCalls: 0,
      durationMs: (shownB.run.durationMs as number) - (shownA.run.durationMs as number),
    });
  });

  it('prints the first divergence, its two values and the deltas as text', async () => {
    const result = await runCli(['diff', runA, runB, '--db', h.dbPath]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`runs ${runA} and ${runB} differ`);
    expect(result.stdout).toContain('first divergence: turn 2 of RLM #1 — the reply');
    // The replies share their first line ("Let me run this."): the line that differs is shown.
    expect(result.stdout).toMatch(new RegExp(`${runA} #\\d+ \\(line 3\\): print\\("two"\\)`));
    expect(result.stdout).toMatch(new RegExp(`${runB} #\\d+ \\(line 3\\): print\\("three, differently"\\)`));
    expect(result.stdout).toMatch(/steps: \d+ same, 2 different, 0 only in .*, 0 only in /);
    expect(result.stdout).toMatch(/delta \(.*\): cost \+\$[\d.]+ · input tokens ±0 · output tokens \+15 · calls ±0 · time /);
  });

  it('finds a run the same as itself and exits 0', async () => {
    const result = await runCli(['diff', runA, runA, '--db', h.dbPath, '--json']);
    expect(result.code).toBe(0);
    const diff = jsonOf<RunComparison>(result);
    expect(diff.firstDivergence).toBeNull();
    expect(diff.pairs.every((p) => p.same && p.a === p.b)).toBe(true);
    const text = await runCli(['diff', runA, runA, '--db', h.dbPath]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('are the same, step for step');
  });

  it('refuses an unknown run or database with one line and exit 2', async () => {
    const unknown = await runCli(['diff', runA, 'r-nope', '--db', h.dbPath]);
    expect(unknown).toMatchObject({ code: 2, stdout: '', stderr: 'rlmscope: no run r-nope\n' });
    const noDb = await runCli(['diff', runA, runB, '--db', `${h.dir}/missing.db`]);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toMatch(/^rlmscope: no database at .*missing\.db\n$/);
    const missingArg = await runCli(['diff', runA, '--db', h.dbPath]);
    expect(missingArg.code).toBe(2);
  });
});
