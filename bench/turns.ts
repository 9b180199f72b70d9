// The engine's own cost per turn: a real run of many small turns against a provider that answers
// at once, minus the same model calls and cells made directly, without the engine.
import { startFakeProvider, type FakeProvider } from '../src/main/fakeProvider/server';
import { ModelClient } from '../src/main/model/modelClient';
import type { RlmService } from '../src/main/service/rlmService';
import type { ChatMessage } from '../src/shared/domain/node';
import { openService } from './engineRig';
import { median } from './measure';
import { figure, type Figure } from './report';
import { startSandbox } from './sandboxes';
import { repl, ROOT, turnOf } from './scriptedModels';

const CELLS = 50;
/** Model turns per run: one per cell, then the answer. */
const TURNS = CELLS + 1;
const RUNS = 5;

interface Rig {
  service: RlmService;
  fake: FakeProvider;
}

/** One run through the service; returns its wall time and the requests it sent. */
async function engineRun(rig: Rig): Promise<{ ms: number; requests: ChatMessage[][] }> {
  const first = rig.fake.requests.length;
  const started = performance.now();
  const { runId } = await rig.service.call('runs.start', { query: 'Count to fifty', inputs: [] });
  const summary = await rig.service.waitForRun(runId);
  const ms = performance.now() - started;
  if (summary.answer !== 'done' || summary.iterations !== TURNS) {
    throw new Error(`the turns run ended ${summary.status} after ${summary.iterations} turns: ${summary.error ?? summary.answer}`);
  }
  const requests = rig.fake.requests.slice(first).map((r) => r.messages as ChatMessage[]);
  return { ms, requests };
}

/** The same model calls (the very same messages) and the same cells, made directly. */
async function directRun(rig: Rig, requests: ChatMessage[][]): Promise<number> {
  const client = new ModelClient({ baseUrl: rig.fake.url });
  const started = performance.now();
  const sandbox = await startSandbox({ kind: 'none' });
  try {
    for (const [turn, messages] of requests.entries()) {
      await client.complete({ model: ROOT, messages });
      if (turn < CELLS) await sandbox.runCell(`print(${turn})`);
    }
    return performance.now() - started;
  } finally {
    sandbox.dispose();
  }
}

export async function benchTurns(dir: string): Promise<Figure[]> {
  // In this process, as the direct run's provider is too: both pay for it alike.
  const fake = await startFakeProvider((req) => {
    const turn = turnOf(req.messages);
    return { text: turn < CELLS ? repl(`print(${turn})`) : 'All counted.\nFINAL(done)' };
  });
  const rig: Rig = { fake, service: openService({ dir, name: 'turns', baseUrl: fake.url, limits: { maxIterations: TURNS + 5 } }) };
  try {
    // Warm-up of both paths, then the two interleaved so drift hits both alike.
    const { requests } = await engineRun(rig);
    await directRun(rig, requests);
    const engine: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      engine.push((await engineRun(rig)).ms);
      direct.push(await directRun(rig, requests));
    }
    const perTurn = (ms: number) => ms / TURNS;
    return [
      figure({
        id: 'turns.overhead',
        title: 'engine overhead per turn',
        unit: 'ms',
        value: perTurn(median(engine) - median(direct)),
        baseline: perTurn(median(direct)),
        baselineName: 'direct call + cell',
        goal: { on: 'value', op: '<=', target: 5 },
        note:
          `(median run through the service − median of the same work done directly) ÷ ${TURNS} turns, ${RUNS} runs each ` +
          `after a warm-up. A run is ${CELLS} turns of print(i) and one FINAL, provider latency 0. The service's run ` +
          `includes runs.start, every commit to SQLite, events, prompts, reply parsing and the sandbox start; the ` +
          `direct run replays the identical requests with ModelClient.complete and runs the same cells in one Sandbox.`,
      }),
    ];
  } finally {
    await rig.service.close();
    await fake.close();
  }
}
