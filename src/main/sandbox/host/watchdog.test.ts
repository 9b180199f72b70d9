// A sandbox process that stops answering is killed by the parent's deadline. This test stands in
// a process that answers its start and then goes silent, to check the deadline itself; the real
// case (model code run by host work outside the cell timeout) is in sandbox.test.ts.
import { describe, expect, it } from 'vitest';
import type { ParentMessage } from '../../../shared/sandboxProtocol';
import type { SandboxExit, SandboxLauncher, SandboxProcess } from './launcher';
import { createForkLauncher } from './forkLauncher';
import { Sandbox } from './sandbox';

function silentLauncher(killed: string[]): SandboxLauncher {
  return {
    launch(): SandboxProcess {
      let onMessage: (message: unknown) => void = () => undefined;
      let onExit: (exit: SandboxExit) => void = () => undefined;
      return {
        pid: 1,
        send(message: ParentMessage) {
          if (message.type === 'init') setImmediate(() => onMessage({ type: 'ready', context: { kind: 'string', length: 0, preview: '' }, environment: { timeZone: 'UTC', locale: 'en-US' } }));
          // cells and pings: silence
        },
        onMessage: (listener) => (onMessage = listener),
        onExit: (listener) => (onExit = listener),
        kill() {
          killed.push('kill');
          setImmediate(() => onExit({ code: null, signal: 'SIGKILL', detail: '' }));
        },
        memoryBytes: async () => 1,
      };
    },
  };
}

describe('the parent watchdog', () => {
  it('kills a process that stays silent past its cell budget', async () => {
    const killed: string[] = [];
    const sandbox = await Sandbox.start({
      launcher: silentLauncher(killed),
      context: { kind: 'none' },
      readablePaths: [],
      seed: 1,
      memoryMb: 64,
      cellTimeoutMs: 50,
      outputChars: 100,
      onCall: async () => '',
    });
    const started = Date.now();
    const result = await sandbox.runCell('1');
    expect(result.error).toMatch(/killed: it did not respond for \d+ s \(the cell limit is 50 ms of work\)/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    expect(killed.length).toBeGreaterThan(0);
    sandbox.dispose();
  });
});

describe('the parent watchdog and the parent\'s own busy time', () => {
  it('does not blame a real sandbox for the time the parent itself was blocked', async () => {
    // The real sandbox process; the host call blocks the parent's event loop for 6 s, as
    // storing a million documents did (issue 9), while the sandbox waits for the answer.
    const sandbox = await Sandbox.start({
      launcher: createForkLauncher(),
      context: { kind: 'none' },
      readablePaths: [],
      seed: 1,
      memoryMb: 512,
      cellTimeoutMs: 200,
      outputChars: 1000,
      onCall: async () => {
        const until = Date.now() + 6000;
        while (Date.now() < until) {
          // busy: the parent reads no message, runs no timer
        }
        return 'answered late';
      },
    });
    try {
      const result = await sandbox.runCell('print(await llm_query("q"))');
      expect(result.error).toBeNull();
      expect(result.output).toContain('answered late');
      expect(result.restart).toBeFalsy();
    } finally {
      sandbox.dispose();
    }
  }, 30_000);
});
