// `--dedupe-subcalls` through the built CLI (issue 13): ten identical batched sub-calls are one
// request, `--json` counts the other nine in cachedCalls, `show --json` marks the run and each
// cached node with the node that answered it, `show` says so in words; off by default, and
// `--no-dedupe-subcalls` overrides the saved default and a fork's parent.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeRequest } from '../fakeProvider/server';
import { jsonOf, runCli } from '../testing/cli';
import { CliHarness } from '../testing/cliHarness';
import { repl, turn } from '../testing/serviceHarness';

const h = new CliHarness();
const isSubCall = (req: FakeRequest) => req.messages.every((m) => m.role !== 'system');
const subRequests = () => h.fake.requests.filter(isSubCall).length;

function script(req: FakeRequest) {
  if (isSubCall(req)) return { text: 'forty-two', delayMs: 100 };
  const replies = [repl("print(JSON.stringify(await llm_query_batched(Array(10).fill('what is 6 x 7?'))))"), 'FINAL(done)'];
  return { text: replies[turn(req)] ?? 'FINAL(late)' };
}

let input = '';
beforeAll(async () => {
  await h.start();
  input = h.file('input.txt', 'some context');
}, 60_000);
afterAll(() => h.stop());

describe('rlmscope run --dedupe-subcalls', () => {
  it('sends one request for ten identical sub-calls; --json and show --json say which nodes were answered by which', async () => {
    const before = subRequests();
    const { result, json } = await h.run(script, 'q', [input], '--dedupe-subcalls', '--max-calls', '3');
    expect(result.code).toBe(0);
    // Two turns and one request: the nine duplicates are no calls, so --max-calls 3 holds.
    expect(json).toMatchObject({ status: 'completed', answer: 'done', modelCalls: 3, cachedCalls: 9 });
    expect(subRequests() - before).toBe(1);
    const shown = await h.show(json.runId as string);
    expect(shown.run).toMatchObject({ dedupeSubcalls: true, cachedCalls: 9 });
    const subs = shown.nodes.filter((n) => n.purpose === 'sub') as Array<(typeof shown.nodes)[number] & { cached?: boolean; dedupeOf?: number }>;
    expect(subs).toHaveLength(10);
    expect(subs[0]).not.toHaveProperty('cached');
    expect(subs.slice(1).every((n) => n.cached === true && n.dedupeOf === subs[0]!.id && n.text === 'forty-two' && n.costUsd === null)).toBe(true);
    const text = await runCli(['show', json.runId as string, '--db', h.dbPath]);
    expect(text.stdout).toContain('sub-calls deduplicated (--dedupe-subcalls): 9 repeated sub-calls answered by the first, with no request');
    expect(text.stdout.match(/\[cached\]/g)).toHaveLength(9);
  }, 60_000);

  it('is off by default, and a fork takes its parent\'s setting unless --no-dedupe-subcalls says otherwise', async () => {
    const before = subRequests();
    const plain = await h.run(script, 'q', [input]);
    expect(plain.json).toMatchObject({ status: 'completed', cachedCalls: 0, modelCalls: 12 });
    expect(subRequests() - before).toBe(10);
    expect((await h.show(plain.json.runId as string)).run).toMatchObject({ dedupeSubcalls: false });

    // A fork of it with the flag: the recording answers all ten, and the run is marked.
    const on = jsonOf(await h.fork(plain.json.runId as string, '--dedupe-subcalls', '--json'));
    expect((await h.show(on.runId as string)).run).toMatchObject({ dedupeSubcalls: true });
    const off = jsonOf(await h.fork(on.runId as string, '--no-dedupe-subcalls', '--json'));
    expect((await h.show(off.runId as string)).run).toMatchObject({ dedupeSubcalls: false });
    const inherited = jsonOf(await h.fork(on.runId as string, '--json'));
    expect((await h.show(inherited.runId as string)).run).toMatchObject({ dedupeSubcalls: true });
  }, 90_000);

  it('takes the default saved in Settings, which --no-dedupe-subcalls overrides', async () => {
    const settings = join(h.dir, 'settings.json');
    writeFileSync(settings, JSON.stringify({ version: 1, dedupeSubcalls: true }));
    try {
      let before = subRequests();
      const saved = await h.run(script, 'q', [input]);
      expect(saved.json).toMatchObject({ status: 'completed', cachedCalls: 9 });
      expect(subRequests() - before).toBe(1);
      before = subRequests();
      const overridden = await h.run(script, 'q', [input], '--no-dedupe-subcalls');
      expect(overridden.json).toMatchObject({ status: 'completed', cachedCalls: 0 });
      expect(subRequests() - before).toBe(10);
    } finally {
      rmSync(settings, { force: true });
    }
  }, 60_000);

  it('lists both flags in --help', async () => {
    for (const command of ['run', 'fork']) {
      const help = await runCli([command, '--help']);
      expect(help.stdout).toContain('--dedupe-subcalls');
      expect(help.stdout).toContain('--no-dedupe-subcalls');
    }
  });
});
