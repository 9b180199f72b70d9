// A sandbox never outlives its parent by more than a few seconds, even when its own event loop is
// blocked (DESIGN.md §2; issue 9 "Orphaned sandbox"). The built command line is SIGKILLed while
// its sandbox spins where no cell timeout reaches: Node's rejection tracking reading a proxied
// promise after the cell's code has ended (the case escapeCorpus.ts blames on its cell). Before
// the orphan guard (src/main/sandbox/host/orphanGuard.ts) the sandbox, reparented to init, spun on
// forever. Linux only: processes are found in /proc.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../testing/cli';
import { CliHarness } from '../testing/cliHarness';
import { sandboxChildren } from '../testing/processes';
import { repl, turn } from '../testing/serviceHarness';

const SPIN_OUTSIDE_THE_CELL =
  "const p = Promise.reject(new Error('x')); Object.setPrototypeOf(p, new Proxy(Object.create(null), { get() { for (;;) {} } }));";
/** Generous: a loaded 2-core machine. The guard itself acts within milliseconds. */
const GONE_WITHIN_MS = 10_000;

const h = new CliHarness();
/** Every process this file may leave behind, killed at the end whatever happened. */
const started: Array<{ pid: number; startTime: string }> = [];

beforeAll(() => h.start());
afterAll(async () => {
  for (const process_ of started) if (isAlive(process_)) killQuietly(process_.pid);
  await h.stop();
});

describe.skipIf(process.platform !== 'linux')('a sandbox whose command line is killed', () => {
  it('is killed within seconds even while its event loop is blocked', async () => {
    // The cell timeout and run time are far beyond the test: only the guard can end the spin.
    h.fake.setHandler((req) => (turn(req) === 0 ? { text: repl(SPIN_OUTSIDE_THE_CELL) } : { hang: true }));
    const input = h.file('input.txt', 'some input\n');
    const cli = startCli(h.runArgs('q', [input], '--cell-timeout-ms', '600000'));
    const cliPid = cli.child.pid as number;
    started.push({ pid: cliPid, startTime: startTimeOf(cliPid) ?? '' });

    // Wait until the sandbox has burnt a full second of CPU: it spins, and no message gets out.
    const sandbox = await waitFor(() => {
      const [pid] = sandboxChildren(cliPid);
      return pid !== undefined && cpuSeconds(pid) >= 1 ? pid : undefined;
    }, 60_000);
    const sandboxProcess = { pid: sandbox, startTime: startTimeOf(sandbox) ?? '' };
    const guards = childrenNamed(cliPid, 'rlmscope-sandbox-guard').map((pid) => ({ pid, startTime: startTimeOf(pid) ?? '' }));
    started.push(sandboxProcess, ...guards);

    cli.child.kill('SIGKILL');
    expect((await cli.result).signal).toBe('SIGKILL');
    const killedAt = Date.now();

    await waitFor(() => (isAlive(sandboxProcess) ? undefined : true), GONE_WITHIN_MS).catch(() => undefined);
    expect(isAlive(sandboxProcess), `the sandbox (pid ${sandbox}) outlived its parent by ${Date.now() - killedAt} ms`).toBe(false);
    // The guard went with it: nothing of the run is left.
    expect(guards).toHaveLength(1);
    await waitFor(() => (guards.some(isAlive) ? undefined : true), GONE_WITHIN_MS).catch(() => undefined);
    expect(guards.filter(isAlive)).toEqual([]);
  });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces). */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** utime + stime, in seconds (USER_HZ is 100 on every Linux Node supports). */
function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / 100 : 0;
}

/** The process's start time: with the pid, it names one process even if the pid is reused. */
function startTimeOf(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/** Still running: not gone, not a zombie waiting for a reaper, not a new process on a reused pid. */
function isAlive(process_: { pid: number; startTime: string }): boolean {
  const fields = statFields(process_.pid);
  return fields !== null && fields[0] !== 'Z' && fields[0] !== 'X' && fields[19] === process_.startTime;
}

function childrenNamed(parent: number, marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSafe()) {
    const fields = statFields(Number(entry));
    if (!fields || Number(fields[1]) !== parent) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return pids;
}

function readdirSafe(): string[] {
  try {
    return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
