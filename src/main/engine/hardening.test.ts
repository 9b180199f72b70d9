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

  it('still stops a model whose cells keep printing the same thing', async () => {
    const { summary } = await run((req) => ({ text: repl(`print("same"); const v${turn(req)} = 1`) }), { maxIterations: 8 });
    expect(summary).toMatchObject({ status: 'stopped', stopReason: 'runaway' });
  });
});
