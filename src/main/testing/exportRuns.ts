// A run recorded through the real service for the export tests: a root RLM whose first cell
// makes a sub-call that fails (400) and starts a child RLM, whose second cell throws, and which
// then answers. Every kind of node, a child RLM at depth 1 and two failed nodes.
import type { ServiceConfig } from '../service/serviceConfig';
import { isRootConversation, queryOf, repl, startHarness, turn, type Harness } from './serviceHarness';

export const SAMPLE_QUERY = 'the query';
export const SAMPLE_ANSWER = 'the answer';

export async function recordExportSample(config: Partial<ServiceConfig> = {}): Promise<{ harness: Harness; runId: string }> {
  const harness = await startHarness((req) => {
    if (isRootConversation(req)) {
      if (turn(req) === 0) {
        const code = 'try { await llm_query("boom") } catch (e) { print("sub failed:", e.message) }\nprint(await rlm_query("child q", "child context"))';
        return { text: repl(code), usage: { prompt_tokens: 100, completion_tokens: 10 } };
      }
      if (turn(req) === 1) return { text: repl('throw new Error("cell broke")'), usage: { prompt_tokens: 200, completion_tokens: 20 } };
      return { text: `FINAL(${SAMPLE_ANSWER})`, usage: { prompt_tokens: 300, completion_tokens: 5 } };
    }
    if (queryOf(req) === 'child q') return { text: 'FINAL(child answer)', usage: { prompt_tokens: 50, completion_tokens: 5 } };
    return { status: 400, error: 'bad prompt boom' };
  }, config);
  try {
    const { runId } = await harness.service.call('runs.start', { query: SAMPLE_QUERY, inputs: [{ kind: 'text', name: 'doc.txt', text: 'hello' }] });
    const summary = await harness.service.waitForRun(runId);
    if (summary.status !== 'completed') throw new Error(`the sample run ended ${summary.status}: ${summary.error}`);
    return { harness, runId };
  } catch (error) {
    await harness.close();
    throw error;
  }
}
