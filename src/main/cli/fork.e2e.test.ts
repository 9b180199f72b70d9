// `rlmscope fork` through the built CLI: a real run on the fake provider, forked at a turn with
// --reply-file and at a cell with --code; `--json` carries forkedFrom and cachedCalls, `show
// --json` marks the nodes answered from the recording, the fork's cost matches what the provider
// billed for the live calls only, and `diff` names the branch point. Bad flags are one line (exit 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeRequest } from '../fakeProvider/server';
import { jsonOf, runCli } from '../testing/cli';
import { billedUsd, CliHarness } from '../testing/cliHarness';
import { repl, turn } from '../testing/serviceHarness';

const h = new CliHarness();
const isSubCall = (req: FakeRequest) => req.messages.every((m) => m.role !== 'system');
let runId = '';
let turns: number[] = [];
let cells: number[] = [];

function script(req: FakeRequest) {
  if (isSubCall(req)) return { text: `echo: ${req.messages[0]?.content ?? ''}` };
  const replies = [repl('const s = await llm_query("say hello");\nprint(s, Math.random())'), repl('print(s.toUpperCase())'), 'FINAL(done)'];
  return { text: replies[turn(req)] ?? 'FINAL(late)' };
}

const fork = (...args: string[]) => h.fork(...args);

beforeAll(async () => {
  await h.start();
  const run = await h.run(script, 'What is here?', [h.file('input.txt', 'some context')]);
  expect(run.result.code).toBe(0);
  runId = run.json.runId as string;
  const nodes = (await h.show(runId)).nodes;
  turns = nodes.filter((n) => n.kind === 'llm' && n.purpose === 'turn').map((n) => n.id);
  cells = nodes.filter((n) => n.kind === 'cell').map((n) => n.id);
  expect(turns).toHaveLength(3);
}, 60_000);
afterAll(() => h.stop());

describe('rlmscope fork', () => {
  it('--at a turn with --reply-file: the calls before it come from the recording, the ones after go live, and the cost is theirs alone', async () => {
    const from = h.fake.ledger.length;
    const requests = h.fake.requests.length;
    const result = await fork(runId, '--at', String(turns[2]), '--reply-file', h.file('reply.txt', 'FINAL(edited answer)'), '--json');
    expect(result.code).toBe(0);
    const summary = jsonOf<Record<string, unknown>>(result);
    // Every call is answered without the provider: turns 1-2 and the sub-call from the recording, turn 3 by the edit.
    expect(summary).toMatchObject({ status: 'completed', answer: 'edited answer', forkedFrom: { runId, nodeId: turns[2] }, cachedCalls: 3, modelCalls: 0, costUsd: 0 });
    expect(h.fake.requests.length).toBe(requests);
    expect(billedUsd(h.fake.ledger.slice(from))).toBe(0);
    expect(result.stderr).toContain(`of run ${runId} at node ${turns[2]} (its reply replaced)`);

    const shown = await h.show(summary.runId as string);
    expect(shown.nodes.filter((n) => (n as { cached?: boolean }).cached).map((n) => n.purpose)).toEqual(['turn', 'sub', 'turn']);
    const diff = jsonOf<{ firstDivergence: unknown }>(await runCli(['diff', runId, summary.runId as string, '--json', '--db', h.dbPath]));
    expect(diff.firstDivergence).toMatchObject({ a: turns[2], field: 'text' });
  }, 60_000);

  it('--at a cell with --code: the cell runs the new code and the live calls after it are billed to the fork', async () => {
    h.fake.setHandler((req) => (isSubCall(req) ? { text: 'fresh' } : { text: turn(req) === 2 ? 'FINAL(after the edit)' : 'FINAL(unexpected)' }));
    const from = h.fake.ledger.length;
    const result = await fork(runId, '--at', String(cells[1]), '--code', 'print(await llm_query("something new"))', '--json');
    expect(result.code).toBe(0);
    const summary = jsonOf<{ runId: string; costUsd: number; modelCalls: number; cachedCalls: number }>(result);
    // Live: the sub-call with a new prompt and the third turn; cached: the first turn, its sub-call.
    expect(summary).toMatchObject({ answer: 'after the edit', modelCalls: 2, cachedCalls: 2 });
    expect(summary.costUsd).toBeCloseTo(billedUsd(h.fake.ledger.slice(from)), 12);
    const shown = await h.show(summary.runId);
    expect(shown.nodes.filter((n) => n.kind === 'cell')[1]).toMatchObject({ code: 'print(await llm_query("something new"))', output: 'fresh\n' });
    // The reply that held the code differs only inside it: diff names the cell's code, the branch point.
    const diff = jsonOf<{ firstDivergence: unknown }>(await runCli(['diff', runId, summary.runId, '--json', '--db', h.dbPath]));
    expect(diff.firstDivergence).toMatchObject({ a: cells[1], field: 'code' });
  }, 60_000);

  it('refuses bad flags in one line with exit 2, and starts nothing', async () => {
    const before = (await runCli(['runs', '--json', '--db', h.dbPath])).stdout;
    const cases: Array<[string[], string]> = [
      [[runId, '--reply', 'x'], '--reply needs --at NODE_ID'],
      [[runId, '--at', String(turns[0]), '--reply', 'x', '--code', 'y'], 'give one edit, not --reply and --code'],
      [[runId, '--at', String(turns[0])], '--at needs the new reply'],
      [[runId, '--at', String(cells[0]), '--reply', 'x'], `node ${cells[0]} is a cell`],
      [[runId, '--at', String(turns[0]), '--reply-file', h.file('bin.dat', Buffer.from([1, 0, 2]))], 'is a binary file'],
      [[runId, '--at', String(turns[0]), '--reply-file', `${h.dir}/missing.txt`], 'no such file'],
      [['r-unknown'], 'no run r-unknown'],
    ];
    for (const [args, message] of cases) {
      const result = await fork(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr.trim().split('\n').filter((line) => line.startsWith('rlmscope:'))).toHaveLength(1);
    }
    expect((await runCli(['runs', '--json', '--db', h.dbPath])).stdout).toBe(before);
  }, 60_000);
});
