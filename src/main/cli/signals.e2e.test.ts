// Run-away signals on the command line (issue 13): the built command, real sandbox processes, a
// real database and the fake provider over loopback HTTP. `run` prints a new signal on stderr as
// it appears; `show --json`, `show` and `runs` read it back from the file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runCli } from '../testing/cli';
import { billedUsd, CliHarness } from '../testing/cliHarness';
import { isRootConversation, repl, SUB, turn } from '../testing/serviceHarness';
import type { FakeHandler } from '../fakeProvider/server';

const h = new CliHarness();
beforeAll(() => h.start());
afterAll(() => h.stop());

function askingTwice(prompts: string[]): FakeHandler {
  const code = `for (const p of ${JSON.stringify(prompts)}) print(await llm_query(p));`;
  return (req) => {
    if (!isRootConversation(req)) return { text: 'an answer', usage: { prompt_tokens: 1_000, completion_tokens: 2_000 } };
    return { text: turn(req) === 0 ? repl(code) : 'FINAL(done)', usage: { prompt_tokens: 500, completion_tokens: 50 } };
  };
}

interface SignalJson {
  kind: string;
  nodeId: number | null;
  message: string;
  costUsd: number | null;
}

describe('run-away signals in the CLI', () => {
  it('flags the same sub-call sent four times: once on stderr as it appears, kept with the run, in show --json, show and runs', async () => {
    h.fake.setHandler(askingTwice(['Same question?', 'Same question?', 'Same question?', 'Same question?']));
    const from = h.fake.ledger.length;
    const args = h.runArgs('ask four times', [h.file('notes.txt', 'some notes')]).filter((arg) => arg !== '--json');
    const result = await runCli(args);
    expect(result.code).toBe(0);
    const signalLines = result.stderr.split('\n').filter((line) => line.includes('signal: '));
    // Not a terminal: no redraw before it, the line as it is.
    expect(signalLines).toEqual([expect.stringMatching(/^signal: duplicate-subcalls: 1 sub-call repeated an earlier \(model, prompt\)/)]);

    const runId = /^r-\S+/m.exec((await runCli(['runs', '--db', h.dbPath])).stdout)?.[0] ?? '';
    const shown = await h.show(runId);
    const signals = shown.run.signals as SignalJson[];
    // The three copies are what the fake provider billed for the sub-calls after the first.
    const subBills = h.fake.ledger.slice(from).filter((bill) => bill.model === SUB);
    expect(subBills).toHaveLength(4);
    const cell = shown.nodes.find((node) => node.kind === 'cell');
    expect(signals).toEqual([{ kind: 'duplicate-subcalls', nodeId: cell?.id, message: expect.stringContaining('3 sub-calls repeated an earlier (model, prompt)') as string, costUsd: expect.any(Number) as number }]);
    expect(signals[0]?.costUsd).toBeCloseTo(billedUsd(subBills.slice(1)), 12);
    expect(Object.keys(signals[0] ?? {})).toEqual(['kind', 'nodeId', 'message', 'costUsd']);

    const text = (await runCli(['show', runId, '--db', h.dbPath])).stdout;
    expect(text).toMatch(new RegExp(`^1 signal:\\n  duplicate-subcalls: 3 sub-calls repeated .*\\(node #${cell?.id}\\)$`, 'm'));
    const listed = (await runCli(['runs', '--db', h.dbPath])).stdout.split('\n').find((line) => line.startsWith(runId));
    expect(listed).toContain('[1 signal] ask four times');
    const listedJson = jsonOf<Array<{ runId: string; signals: SignalJson[] }>>(await runCli(['runs', '--db', h.dbPath, '--json']));
    expect(listedJson.find((run) => run.runId === runId)?.signals).toEqual(signals);
  }, 120_000);

  it('a healthy run of the same size: "signals": [], and no signal line', async () => {
    h.fake.setHandler(askingTwice(['First?', 'Second?', 'Third?', 'Fourth?']));
    const result = await runCli(h.runArgs('ask four things', [h.file('notes.txt', 'some notes')]).filter((arg) => arg !== '--json'));
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('signal: ');
    const { json } = await h.run(askingTwice(['First?', 'Second?', 'Third?', 'Fourth?']), 'ask four things again', [h.file('notes.txt', 'some notes')]);
    expect(json.signals).toEqual([]);
    const shown = await h.show(json.runId as string);
    expect(shown.run.signals).toEqual([]);
    expect((await runCli(['show', json.runId as string, '--db', h.dbPath])).stdout).not.toContain('signal');
  }, 120_000);
});
