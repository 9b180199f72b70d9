// The memory a whole run takes for a large input, as users run it: `rlmscope run --file` (the built
// CLI, in its own process) over a generated text file, with the scripted provider in a process of
// its own. Every RLMScope process of the run (the CLI and its sandboxes, found as its descendants
// in /proc) is sampled every few milliseconds; the figure is the highest sum of their resident
// memory, as a multiple of the input. The CLI's progress on stderr is kept to show it goes.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, FAKE_PROVIDER, startNode, stop } from '../e2e/processes';
import { writeLogFile } from './logFile';
import { MB } from './measure';
import { figure, type Figure } from './report';
import { ROOT, SUB, repl } from './scriptedModels';

const SAMPLE_MS = 5;

function readStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The process and all its descendants, from /proc's children lists. */
function processTree(root: number): number[] {
  const pids = [root];
  for (let i = 0; i < pids.length; i++) {
    const pid = pids[i] as number;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // it ended meanwhile
    }
    for (const tid of tasks) {
      try {
        for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) if (child.trim()) pids.push(Number(child));
      } catch {
        // the task ended meanwhile
      }
    }
  }
  return pids;
}

/** What a process of the run is, from its command line: the CLI itself, its sandbox, or another; null once it has ended. */
function roleOf(pid: number, cli: number): string | null {
  if (pid === cli) return 'CLI';
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    // An exiting process (a zombie) has an empty command line: it keeps the role it had.
    if (!args[0]) return null;
    return args.some((arg) => arg.endsWith('sandbox.js')) ? 'sandbox' : (args[0].split('/').pop() ?? args[0]);
  } catch {
    return null;
  }
}

interface RunMemory {
  /** The highest sampled sum of resident memory over the run's processes. */
  peakSum: number;
  /** Each process's resident memory at that highest sum, by role. */
  atPeak: string;
  /** Each process's own peak (VmHWM), by role. */
  ownPeaks: string;
  /** The sum of each process's own peak (an upper bound: the peaks need not coincide). */
  peakOfEach: number;
  processes: number;
  seconds: number;
  progressLines: number;
  answer: string;
}

async function measureRun(dir: string, file: string, providerUrl: string): Promise<RunMemory> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'run', '--query', 'How many WARN lines?', '--file', file, '--db', join(dir, 'memory.db'), '--max-seconds', '600'], {
    env: { ...process.env, RLMSCOPE_HOME: join(dir, 'memory-home'), OPENAI_BASE_URL: providerUrl, OPENAI_API_KEY: 'bench', RLMSCOPE_ROOT_MODEL: ROOT, RLMSCOPE_SUB_MODEL: SUB },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let answer = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const hwm = new Map<number, number>();
  const roles = new Map<number, string>();
  let peakSum = 0;
  let atPeak: Array<[number, number]> = [];
  const sample = () => {
    let sum = 0;
    const now: Array<[number, number]> = [];
    for (const pid of processTree(child.pid as number)) {
      const rss = readStatus(pid, 'VmRSS');
      sum += rss;
      now.push([pid, rss]);
      // Read again each time: a process seen between its fork and its exec still looks like its parent.
      const role = roleOf(pid, child.pid as number);
      if (role) roles.set(pid, role);
      // VmHWM only grows within one program; an exec starts it again, and the program after is the one meant.
      hwm.set(pid, readStatus(pid, 'VmHWM') || (hwm.get(pid) ?? 0));
    }
    if (sum > peakSum) {
      peakSum = sum;
      atPeak = now;
    }
  };
  const byRole = (entries: Iterable<[number, number]>) => [...entries].map(([pid, bytes]) => `${roles.get(pid) ?? pid} ${(bytes / MB).toFixed(0)} MB`).join(', ');
  const sampler = setInterval(sample, SAMPLE_MS);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`rlmscope run exited ${code}: ${stderr.slice(-2000)}`);
  return {
    peakSum,
    atPeak: byRole(atPeak),
    ownPeaks: byRole(hwm),
    peakOfEach: [...hwm.values()].reduce((a, b) => a + b, 0),
    processes: hwm.size,
    seconds: (performance.now() - started) / 1000,
    progressLines: stderr.split('\n').filter((line) => line.trim()).length,
    answer: answer.trim(),
  };
}

export async function benchRunMemory(dir: string, sizesMb: readonly number[] = [200, 1024]): Promise<Figure[]> {
  const rulesPath = join(dir, 'memory-rules.json');
  const code = "const parts = typeof context === 'string' ? [context] : context;\nlet warnings = 0;\nfor (const part of parts) for (const m of part.matchAll(/WARN/g)) warnings++;\nprint(warnings);";
  writeFileSync(
    rulesPath,
    JSON.stringify([
      { match: { model: ROOT, turn: 0 }, reply: { text: repl(code) } },
      { match: { model: ROOT }, reply: { text: 'FINAL(counted)' } },
    ]),
  );
  const provider = await startNode(FAKE_PROVIDER, ['--rules', rulesPath], {});
  const { url } = JSON.parse(provider.firstLine) as { url: string };
  const figures: Figure[] = [];
  try {
    for (const sizeMb of sizesMb) {
      const file = join(dir, `memory-${sizeMb}.log`);
      writeLogFile(file, sizeMb * MB);
      try {
        const run = await measureRun(dir, file, url);
        const big = sizeMb >= 1024;
        figures.push(
          figure({
            id: `runMemory.${sizeMb}mb`,
            title: `Run memory ÷ input, ${sizeMb >= 1024 ? `${sizeMb / 1024} GB` : `${sizeMb} MB`}`,
            unit: 'MB',
            value: run.peakSum / MB,
            baseline: sizeMb,
            baselineName: 'the input',
            goal: { on: 'ratio', op: '<=', target: big ? 1.5 : 2 },
            note: `highest sum of resident memory of the ${run.processes} RLMScope processes of \`rlmscope run --file\` (the CLI and its sandbox), sampled every ${SAMPLE_MS} ms, from start to the answer (${run.seconds.toFixed(1)} s, ${run.progressLines} lines of progress on stderr); at that highest sum: ${run.atPeak}; each process's own peak: ${run.ownPeaks} (summed ${(run.peakOfEach / MB).toFixed(0)} MB).`,
          }),
        );
      } finally {
        rmSync(file, { force: true });
        rmSync(join(dir, 'memory.db'), { force: true });
        rmSync(join(dir, 'memory.db-wal'), { force: true });
        rmSync(join(dir, 'memory.db-shm'), { force: true });
      }
    }
  } finally {
    await stop(provider.child);
  }
  return figures;
}
