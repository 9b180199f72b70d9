// `rlmscope fork` attacked through the built CLI: edit files as editors write them (a UTF-8 byte
// order mark, Windows-1252 bytes), odd --at values, and the exit code and --json of a fork that
// stops at a limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeRequest } from '../fakeProvider/server';
import { jsonOf, runCli } from '../testing/cli';
import { CliHarness } from '../testing/cliHarness';
import { repl, turn } from '../testing/serviceHarness';

const h = new CliHarness();
const isSubCall = (req: FakeRequest) => req.messages.every((m) => m.role !== 'system');
let runId = '';
let turns: number[] = [];
let cells: number[] = [];

function script(req: FakeRequest) {
  if (isSubCall(req)) return { text: 'sub' };
  return { text: [repl("print('café')"), repl('print(2)'), 'FINAL(done)'][turn(req)] ?? 'FINAL(late)' };
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
}, 60_000);
afterAll(() => h.stop());

describe('rlmscope fork, attacked', () => {
  it('a --reply-file saved with a UTF-8 byte order mark: the mark is not part of the reply, so its FINAL counts', async () => {
    const file = h.file('bom.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('FINAL(from a file with a BOM)')]));
    const result = await fork(runId, '--at', String(turns[2]), '--reply-file', file, '--json');
    expect(result.code).toBe(0);
    expect(jsonOf(result)).toMatchObject({ status: 'completed', answer: 'from a file with a BOM' });
  }, 60_000);

  it('a --code-file that is not UTF-8 (Windows-1252) is refused in one line naming the file, not run with replacement characters', async () => {
    const file = h.file('cp1252.js', Buffer.from([0x70, 0x72, 0x69, 0x6e, 0x74, 0x28, 0x27, 0x63, 0x61, 0x66, 0xe9, 0x27, 0x29])); // print('café') in cp1252
    const before = (await runCli(['runs', '--json', '--db', h.dbPath])).stdout;
    const result = await fork(runId, '--at', String(cells[0]), '--code-file', file);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n').filter((line) => line.startsWith('rlmscope:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toContain('UTF-8');
    expect((await runCli(['runs', '--json', '--db', h.dbPath])).stdout).toBe(before);
  }, 60_000);

  it('odd --at values are refused in one line with exit 2', async () => {
    for (const at of ['abc', '-1', '1.5', '']) {
      const result = await fork(runId, '--at', at, '--reply', 'x');
      expect(result.code, `--at ${JSON.stringify(at)}`).toBe(2);
      expect(result.stderr.trim().split('\n').filter((line) => line.startsWith('rlmscope:') || line.startsWith('error:'))).toHaveLength(1);
    }
  }, 60_000);

  it('a fork stopped at its call limit exits non-zero and --json still prints its summary', async () => {
    h.fake.setHandler((req) => (isSubCall(req) ? { text: 'live' } : { text: repl("print(await llm_query('again'))") }));
    const result = await fork(runId, '--at', String(turns[1]), '--reply', repl("print(await llm_query('new one'))"), '--max-calls', '1', '--json');
    expect(result.code).not.toBe(0);
    expect(jsonOf(result)).toMatchObject({ status: 'stopped', stopReason: 'max-calls', modelCalls: 1, cachedCalls: 1, forkedFrom: { runId, nodeId: turns[1] } });
  }, 60_000);

  it('a fork with a code edit is exported and imported again like any run (its forkEdit names the edited cell)', async () => {
    h.fake.setHandler((req) => (isSubCall(req) ? { text: 'live' } : { text: 'FINAL(after the code edit)' }));
    const forked = await fork(runId, '--at', String(cells[0]), '--code', "print('edited code')", '--json');
    expect(forked.code).toBe(0);
    const forkId = jsonOf<{ runId: string }>(forked).runId;
    const file = `${h.dir}/fork.rlmscope`;
    const exported = await runCli(['export', forkId, '-o', file, '--db', h.dbPath]);
    expect(exported.code, exported.stderr).toBe(0);
    const imported = await runCli(['import', file, '--json', '--db', `${h.dir}/other.db`]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(jsonOf<{ runs: unknown[] }>(imported).runs).toHaveLength(1);
  }, 60_000);
});
