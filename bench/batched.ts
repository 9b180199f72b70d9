// 1,000 prompts through llm_query_batched at concurrency 32 against a provider that takes 50 ms
// per call, end to end through the service, against the ideal of perfectly packed waves.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { openService } from './engineRig';
import { epochMs, median } from './measure';
import type { ProviderMessage } from './providerProcess';
import { figure, type Figure } from './report';

const PROMPTS = 1000;
const CONCURRENCY = 32;
const LATENCY_MS = 50;
const RUNS = 3;

interface ProviderProcess {
  url: string;
  /** When the current run's first sub-call reached the provider (epoch ms). */
  firstSubCall: () => number;
  /** CPU milliseconds the provider process has used so far (Linux; NaN elsewhere). */
  cpuMs: () => number;
  close(): void;
}

async function startProviderProcess(code: string): Promise<ProviderProcess> {
  const child: ChildProcess = fork(join(__dirname, 'providerProcess.ts'), [String(LATENCY_MS), code], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let firstSubCall = Number.NaN;
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (exitCode) => reject(new Error(`the provider process exited with ${exitCode}`)));
    child.on('message', (message: ProviderMessage) => {
      if (message.type === 'ready') resolve(message.url);
      else firstSubCall = message.at;
    });
  });
  return {
    url,
    firstSubCall: () => firstSubCall,
    cpuMs: () => processCpuMs(child.pid),
    close: () => child.kill(),
  };
}

/** utime + stime of a process from /proc (clock ticks of 10 ms on Linux). */
function processCpuMs(pid: number | undefined): number {
  try {
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

export async function benchBatched(dir: string): Promise<Figure[]> {
  const code = `const answers = await llm_query_batched(Array.from({ length: ${PROMPTS} }, (_, i) => "Summarise part " + i));\nFINAL(String(answers.length));`;
  const provider = await startProviderProcess(code);
  const service = openService({ dir, name: 'batched', baseUrl: provider.url, limits: { concurrency: CONCURRENCY, maxCalls: 5000 } });
  let lastDone = Number.NaN;
  let done = 0;
  service.subscribe(null, (event) => {
    if (event.type === 'run.nodeUpdated' && event.node.purpose === 'sub' && event.node.status === 'completed') {
      lastDone = epochMs();
      done++;
    }
  });
  try {
    const spans: number[] = [];
    const wholeRuns: number[] = [];
    const cpuPerCall: number[] = [];
    const providerCpuPerCall: number[] = [];
    // Run 0 warms the JIT and the connection pool up, and is not counted.
    for (let i = 0; i <= RUNS; i++) {
      done = 0;
      const cpuBefore = process.cpuUsage();
      const providerCpuBefore = provider.cpuMs();
      const started = epochMs();
      const { runId } = await service.call('runs.start', { query: 'Summarise every part', inputs: [] });
      const summary = await service.waitForRun(runId);
      const ended = epochMs();
      if (summary.answer !== String(PROMPTS) || done !== PROMPTS) {
        throw new Error(`the batched run ended ${summary.status} with ${done} sub-calls done: ${summary.error ?? summary.answer}`);
      }
      if (i === 0) continue;
      spans.push(lastDone - provider.firstSubCall());
      wholeRuns.push(ended - started);
      const cpu = process.cpuUsage(cpuBefore);
      cpuPerCall.push((cpu.user + cpu.system) / 1000 / PROMPTS);
      providerCpuPerCall.push((provider.cpuMs() - providerCpuBefore) / PROMPTS);
    }
    const ideal = (PROMPTS / CONCURRENCY) * LATENCY_MS;
    return [
      figure({
        id: 'batched.span',
        title: `${PROMPTS} batched prompts, ${CONCURRENCY} at a time`,
        unit: 'ms',
        value: median(spans),
        baseline: ideal,
        baselineName: `${PROMPTS}/${CONCURRENCY} × ${LATENCY_MS} ms`,
        goal: { on: 'ratio', op: '<=', target: 1.05 },
        note:
          `median of ${RUNS} runs after a warm-up run (${spans.map((s) => s.toFixed(0)).join(', ')} ms) from the first sub-call reaching the fake ` +
          `provider to the service committing the last one's completion; root turns excluded. The provider runs in its ` +
          `own process, as a remote one would; ${Math.ceil(PROMPTS / CONCURRENCY)} full waves of ${LATENCY_MS} ms would ` +
          `already be ${((Math.ceil(PROMPTS / CONCURRENCY) * LATENCY_MS) / ideal).toFixed(3)}× the baseline. The bench ` +
          `process used ${median(cpuPerCall).toFixed(2)} ms of CPU per sub-call (all its threads, whole run); one event ` +
          `loop keeps ${CONCURRENCY} calls of ${LATENCY_MS} ms in flight only below ${(LATENCY_MS / CONCURRENCY).toFixed(2)} ms. ` +
          `The fake provider's process used ${median(providerCpuPerCall).toFixed(2)} ms of CPU per sub-call on the same ${cpus().length} cores.`,
      }),
      figure({
        id: 'batched.wholeRun',
        title: `the whole run of the same`,
        unit: 'ms',
        value: median(wholeRuns),
        baseline: ideal,
        baselineName: `${PROMPTS}/${CONCURRENCY} × ${LATENCY_MS} ms`,
        goal: { on: 'ratio', op: '<=', target: 1.1 },
        note:
          `the same ${RUNS} runs (${wholeRuns.map((s) => s.toFixed(0)).join(', ')} ms), from runs.start to the run's end as ` +
          `waitForRun reports it: the sandbox's start, both root turns (${LATENCY_MS} ms each at the provider) and the ` +
          `answer's commit included, against the batched cell's ideal alone.`,
      }),
    ];
  } finally {
    await service.close();
    provider.close();
  }
}
