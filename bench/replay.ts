// Exact replay's speed (issue 12): a recorded run of 1,000 cells — clock and Math.random reads,
// one in ten making a sub-call — re-executed from its recording with no model call, against the
// same run as the engine recorded it (same cells, a provider that answers at once).
import { join } from 'node:path';
import { replayRun } from '../src/main/debugger/replay';
import { startFakeProvider } from '../src/main/fakeProvider/server';
import { createForkLauncher } from '../src/main/sandbox/host/forkLauncher';
import { openRunReader } from '../src/main/store/runReader';
import { openService } from './engineRig';
import { figure, type Figure } from './report';
import { ROOT, turnOf } from './scriptedModels';

const TURNS = 20;
const CELLS_PER_TURN = 50;
const CELLS = TURNS * CELLS_PER_TURN;

/** One reply of CELLS_PER_TURN code blocks: every block is a cell. */
function reply(turn: number): string {
  const blocks: string[] = [];
  for (let b = 0; b < CELLS_PER_TURN; b++) {
    const i = turn * CELLS_PER_TURN + b;
    const code = i % 10 === 0 ? `v${i} = await llm_query('item ${i}'); print(v${i})` : `var v${i} = Math.random(); print(${i}, v${i} < 1, Date.now() > 0)`;
    blocks.push(`\`\`\`repl\n${code}\n\`\`\``);
  }
  return `Running.\n${blocks.join('\n')}`;
}

export async function benchReplay(dir: string): Promise<Figure[]> {
  const fake = await startFakeProvider((req) => {
    if (req.model !== ROOT) return { text: `answer ${req.messages.length}` };
    const turn = turnOf(req.messages);
    return { text: turn < TURNS ? reply(turn) : 'FINAL(done)' };
  });
  const service = openService({ dir, name: 'replay', baseUrl: fake.url, limits: { maxIterations: TURNS + 5, outputChars: 100_000 } });
  try {
    const started = performance.now();
    const { runId } = await service.call('runs.start', { query: 'A thousand cells', inputs: [] });
    const summary = await service.waitForRun(runId);
    const recordMs = performance.now() - started;
    if (summary.answer !== 'done') throw new Error(`the recorded run ended ${summary.status}: ${summary.error ?? summary.answer}`);
    const requests = fake.requests.length;
    const reader = openRunReader(join(dir, 'replay.db'));
    try {
      const replayStarted = performance.now();
      const result = await replayRun(reader, runId, { launcher: createForkLauncher() });
      const replayMs = performance.now() - replayStarted;
      if (result.cells !== CELLS || result.reproduced !== CELLS || fake.requests.length !== requests) {
        throw new Error(`the replay reproduced ${result.reproduced} of ${result.cells} cells (${CELLS} recorded) with ${fake.requests.length - requests} requests`);
      }
      return [
        figure({
          id: 'replay.cells',
          title: 'replaying a 1,000-cell run',
          unit: 'cells/s',
          value: CELLS / (replayMs / 1000),
          baseline: CELLS / (recordMs / 1000),
          baselineName: 'recording it',
          goal: { on: 'ratio', op: '>=', target: 1 },
          note:
            `${CELLS} cells (${TURNS} replies of ${CELLS_PER_TURN} blocks; one in ten awaits an llm_query, the rest read ` +
            `Math.random and Date.now) replayed by replayRun with every call served from the recording and every cell ` +
            `compared, no request to the provider; against the run as the engine recorded it, provider latency 0.`,
        }),
      ];
    } finally {
      reader.close();
    }
  } finally {
    await service.close();
    await fake.close();
  }
}
