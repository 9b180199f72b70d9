// Issue 9 (hardening), the engine's part: a reply too long to parse, a run-away guard that took
// the host's timeout message for the model's output. Real service, sandbox and fake provider.
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeHandler } from '../fakeProvider/server';
import { lastUser, repl, startHarness, turn, type Harness } from '../testing/serviceHarness';
import { MAX_REPLY_CHARS } from './replyParser';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function run(handler: FakeHandler, limits = {}) {
  harness = await startHarness(handler);
  const { runId } = await harness.service.call('runs.start', { query: 'q', inputs: [{ kind: 'text', name: 'doc', text: 'the document' }], limits });
  const summary = await harness.service.waitForRun(runId);
  return { summary, runId, harness };
}

describe('the RLM loop against hostile or unlucky turns', () => {
  it('tells the model when its reply was too long to read whole, and ignores the rest', async () => {
    const seen: string[] = [];
    const { summary } = await run((req) => {
      seen.push(lastUser(req));
      if (turn(req) === 0) return { text: `${repl('print("ran")')}\n${'x'.repeat(MAX_REPLY_CHARS)}\n${repl('print("never")')}` };
      return { text: 'FINAL(ok)' };
    });
    expect(summary).toMatchObject({ status: 'completed', answer: 'ok' });
    expect(seen[1]).toContain('ran');
    expect(seen[1]).not.toContain('never');
    expect(seen[1]).toMatch(/Your reply was too long: only its first 1,000,000 characters .* were read, and the last [\d,]+ were ignored/);
  });

  it('does not take four different cells that each ran out of time for a loop', async () => {
    const { summary } = await run(
      (req) => (turn(req) < 4 ? { text: repl(`let spin${turn(req)} = 0;\nwhile (true) spin${turn(req)}++;`) } : { text: 'FINAL(went on)' }),
      { cellTimeoutMs: 150, maxIterations: 8 },
    );
    expect(summary).toMatchObject({ status: 'completed', answer: 'went on' });
  });

  it('records on the cell, and tells the model, what a sandbox restart cost and what it restored', async () => {
    const seen: string[] = [];
    const bomb = 'const hoard = []; while (true) { const b = new ArrayBuffer(64 * 1024 * 1024); new Uint8Array(b).fill(1); hoard.push(b) }';
    const { summary, runId } = await run(
      (req) => {
        seen.push(lastUser(req));
        return { text: [repl('const kept = 41'), repl(bomb), repl('FINAL(String(kept + 1))')][turn(req)] ?? 'FINAL(no)' };
      },
      { sandboxMemoryMb: 300 },
    );
    expect(summary).toMatchObject({ status: 'completed', answer: '42' });
    const note = /The sandbox process was killed \(it used \d+ MB of memory.*\) while this block ran and restarted in [\d.]+ m?s\. 1 earlier block\(s\) were re-run to restore your variables\. Nothing this block did was kept\./;
    expect(seen[2]).toMatch(note);
    const nodes = await harness!.service.call('runs.nodes', { runId });
    const cells = nodes.filter((n) => n.kind === 'cell');
    const killed = await harness!.service.call('nodes.get', { runId, nodeId: cells[1]!.id });
    expect(killed.notes).toEqual([expect.stringMatching(note)]);
  });

  it('still stops a model whose cells keep printing the same thing', async () => {
    const { summary } = await run((req) => ({ text: repl(`print("same"); const v${turn(req)} = 1`) }), { maxIterations: 8 });
    expect(summary).toMatchObject({ status: 'stopped', stopReason: 'runaway' });
  });
});
