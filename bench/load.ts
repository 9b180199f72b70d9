// Loading a large file into a ready sandbox: throughput, and the peak memory of host and sandbox
// together as a multiple of the input.
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createForkLauncher } from '../src/main/sandbox/host/forkLauncher';
import type { SandboxLauncher } from '../src/main/sandbox/host/launcher';
import type { LogFile } from './logFile';
import { MB, collectGarbage, median, peakResidentBytes, resetPeakResident } from './measure';
import { figure, type Figure } from './report';
import { fileContext, startSandbox } from './sandboxes';

const RUNS = 3;

/** The fork launcher, remembering the pid of the last process it started. */
function recordingLauncher(): { launcher: SandboxLauncher; lastPid: () => number } {
  const inner = createForkLauncher();
  let pid = Number.NaN;
  return {
    launcher: {
      launch(options) {
        const child = inner.launch(options);
        pid = child.pid ?? Number.NaN;
        return child;
      },
    },
    lastPid: () => pid,
  };
}

interface Start {
  ms: number;
  /** Peak resident memory of the bench process and of the sandbox process. */
  hostPeak: number;
  childPeak: number;
}

async function timedStart(file: LogFile | null, recording: ReturnType<typeof recordingLauncher>): Promise<Start> {
  collectGarbage();
  // The kernel's peak when it can be reset; otherwise samples, which may miss a short spike.
  const exact = resetPeakResident();
  let sampled = process.memoryUsage.rss();
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage.rss())), 5);
  const started = performance.now();
  const sandbox = await startSandbox(file ? fileContext(file.path) : { kind: 'none' }, recording.launcher);
  const ms = performance.now() - started;
  clearInterval(sampler);
  try {
    const hostPeak = exact ? peakResidentBytes('self') : Math.max(sampled, process.memoryUsage.rss());
    return { ms, hostPeak, childPeak: peakResidentBytes(recording.lastPid()) };
  } finally {
    sandbox.dispose();
  }
}

/** Plain Node reading the same file into a string, as the sandbox's context loader does. */
function hostReadMs(file: LogFile): number {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const fd = openSync(file.path, 'r');
    const text = readFileSync(fd).toString('utf8');
    closeSync(fd);
    samples.push(performance.now() - started);
    if (text.length !== file.bytes) throw new Error('the host read a different file');
  }
  collectGarbage();
  return median(samples);
}

export async function benchLoad(file: LogFile): Promise<Figure[]> {
  const recording = recordingLauncher();
  // Warm-up: the page cache, and the code paths of both processes.
  await timedStart(null, recording);
  await timedStart(file, recording);
  const empty: Start[] = [];
  const loaded: Start[] = [];
  for (let i = 0; i < RUNS; i++) {
    empty.push(await timedStart(null, recording));
    loaded.push(await timedStart(file, recording));
  }
  const loadMs = median(loaded.map((s) => s.ms)) - median(empty.map((s) => s.ms));
  const sizeMb = file.bytes / MB;
  const worst = loaded.reduce((a, b) => (b.hostPeak + b.childPeak > a.hostPeak + a.childPeak ? b : a));
  const peak = worst.hostPeak + worst.childPeak;
  const idle = Math.max(...empty.map((s) => s.hostPeak + s.childPeak));
  const idleChild = Math.max(...empty.map((s) => s.childPeak));
  const hostMs = hostReadMs(file);
  return [
    figure({
      id: 'load.throughput',
      title: `load ${Math.round(sizeMb)} MB into a sandbox`,
      unit: 'MB/s',
      value: sizeMb / (loadMs / 1000),
      baseline: sizeMb / (hostMs / 1000),
      baselineName: 'plain Node read',
      goal: { on: 'value', op: '>=', target: 300 },
      note:
        `load time ${loadMs.toFixed(0)} ms = median Sandbox.start-to-ready with the file − median with an empty ` +
        `context (${median(empty.map((s) => s.ms)).toFixed(0)} ms), ${RUNS} runs each after a warm-up, page cache warm. ` +
        `Baseline: readFileSync + toString('utf8') of the same file in the bench process. MB = 2^20 bytes.`,
    }),
    figure({
      id: 'load.peakMemory',
      title: 'peak memory while loading',
      unit: 'MB',
      value: peak / MB,
      baseline: file.bytes / MB,
      baselineName: 'input size',
      goal: { on: 'ratio', op: '<=', target: 3 },
      note:
        `peak resident memory of the bench process (VmHWM reset just before the start) + VmHWM of the sandbox process, worst of ` +
        `${RUNS} runs: ${(worst.hostPeak / MB).toFixed(0)} + ${(worst.childPeak / MB).toFixed(0)} MB (the sandbox alone ` +
        `${(worst.childPeak / file.bytes).toFixed(2)}× the input). It includes what both ` +
        `processes hold with an empty sandbox: ${(idle / MB).toFixed(0)} MB (the sandbox ${(idleChild / MB).toFixed(0)} MB; the ` +
        `bench process also carries tsx, the openai SDK and SQLite).`,
    }),
  ];
}
