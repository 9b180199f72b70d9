// The guard's own contract; that it kills a spinning sandbox when the parent is SIGKILLed is
// shown end to end with the built command line in src/main/cli/orphan.e2e.test.ts.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { guardAgainstOrphaning } from './orphanGuard';

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

describe('orphan guard on Windows', () => {
  it('starts nothing (there is no /bin/sh)', () => {
    const victim = startVictim();
    guardAgainstOrphaning(victim.pid, 'win32').dispose();
    expect(exited(victim)).toBe(false);
  });
});
