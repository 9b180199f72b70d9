// The guard's own contract; that it kills a spinning sandbox when the parent is SIGKILLed is
// shown end to end with the built command line in src/main/cli/orphan.e2e.test.ts.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { childrenRunning } from '../../testing/processes';
import { guardAgainstOrphaning, PID_GUARD_MARK, PidGuard } from './orphanGuard';

const victims: Array<ReturnType<typeof spawn>> = [];
afterEach(() => {
  for (const victim of victims.splice(0)) victim.kill('SIGKILL');
});

function startVictim() {
  const victim = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  victims.push(victim);
  return victim;
}

const exited = (child: ReturnType<typeof spawn>) => child.exitCode !== null || child.signalCode !== null;

describe.skipIf(process.platform === 'win32')('orphan guard', () => {
  it('leaves the sandbox alone while its parent lives, and when disposed', async () => {
    const victim = startVictim();
    const guard = guardAgainstOrphaning(victim.pid);
    await new Promise((resolve) => setTimeout(resolve, 500));
    guard.dispose();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(exited(victim)).toBe(false);
  });
});

describe('the guard that serves Windows (one process for all of a parent’s sandboxes)', () => {
  it('kills the pids it still watches when its input ends, as it does when the parent dies', async () => {
    const guard = PidGuard.start();
    const watched = startVictim();
    const released = startVictim();
    guard.watch(watched.pid!);
    guard.watch(released.pid!).dispose();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(exited(watched)).toBe(false);
    guard.endInput();
    await guard.exited();
    await until(() => exited(watched));
    expect(watched.signalCode ?? watched.exitCode).not.toBeNull();
    expect(exited(released)).toBe(false);
  });

  it.skipIf(process.platform !== 'linux')('is what guardAgainstOrphaning starts on Windows, shared by every sandbox', () => {
    const first = startVictim();
    const second = startVictim();
    guardAgainstOrphaning(first.pid, 'win32').dispose();
    guardAgainstOrphaning(second.pid, 'win32').dispose();
    expect(exited(first) || exited(second)).toBe(false);
    expect(childrenRunning(PID_GUARD_MARK)).toHaveLength(1);
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
