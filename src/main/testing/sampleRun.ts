// A native run with every shape the exporters must carry, made through the real service, sandbox
// and fake provider: two input documents, batched sub-calls (one of them failed), a cell that
// throws, a child RLM with its own sub-call and its own context document, and an answer.
import type { FakeHandler } from '../fakeProvider/server';
import { queryOf, repl, startHarness, SUB, turn, type Harness } from './serviceHarness';

export const CHILD_QUERY = 'what is in the part?';
export const CHILD_CONTEXT = 'child context: ünïcödé ✓ and a second line\n';
/** The text of the first input: non-ASCII, with a NUL-free multi-line body. */
export const FIRST_INPUT = 'first line\nsecond line — ✓\n'.repeat(50);

export const sampleHandler: FakeHandler = (req) => {
  // The child RLM talks to the sub model too: it is told apart by its query.
  if (queryOf(req) === CHILD_QUERY) {
    if (turn(req) === 0) return { text: repl('const inner = await llm_query("inner"); print(inner, context.length)'), usage: { prompt_tokens: 50, completion_tokens: 9 } };
    return { text: 'FINAL(a part)', usage: { prompt_tokens: 60, completion_tokens: 3 } };
  }
  if (req.model === SUB) {
    const prompt = req.messages.at(-1)?.content ?? '';
    if (prompt === 'fail me') return { status: 400, error: 'bad sub request' };
    return { text: `sub answer to ${prompt}`, usage: { prompt_tokens: 12, completion_tokens: 4 } };
  }
  switch (turn(req)) {
    case 0:
      return {
        text: `Two blocks.\n${repl('print(context.length)')}\n${repl('const parts = await llm_query_batched(["a", "fail me"]); print(parts.join(" | "))')}`,
        usage: { prompt_tokens: 100, completion_tokens: 20 },
      };
    case 1:
      return { text: repl('throw new Error("boom")'), usage: { prompt_tokens: 150, completion_tokens: 8 } };
    case 2:
      return { text: repl(`const c = await rlm_query(${JSON.stringify(CHILD_QUERY)}, ${JSON.stringify(CHILD_CONTEXT)}); FINAL("child said " + c)`), usage: { prompt_tokens: 200, completion_tokens: 30 } };
    default:
      return { text: 'FINAL(unexpected)' };
  }
};

/** Starts a harness and makes the sample run in it; close the harness when done. */
export async function makeSampleRun(): Promise<{ harness: Harness; runId: string }> {
  const harness = await startHarness(sampleHandler);
  const { runId } = await harness.service.call('runs.start', {
    query: 'What is in the documents?',
    inputs: [
      { kind: 'text', name: 'first.txt', text: FIRST_INPUT },
      { kind: 'text', name: 'second.txt', text: 'the second document' },
    ],
    seed: 4242,
  });
  const summary = await harness.service.waitForRun(runId);
  if (summary.status !== 'completed') throw new Error(`the sample run ended ${summary.status}: ${summary.error ?? ''}`);
  return { harness, runId };
}
