// The adapter over utilityProcess, against a stand-in for electron (the binary is not needed):
// what the sandbox is started with, and how kill, exit and memory are mapped.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

class FakeUtilityProcess extends EventEmitter {
  pid: number | undefined = undefined;
  readonly stderr = new PassThrough();
  readonly posted: unknown[] = [];
  kills = 0;
  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: Record<string, unknown>,
  ) {
    super();
  }
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  kill(): boolean {
    if (this.pid === undefined) return false;
    this.kills++;
    return true;
  }
  spawn(pid: number): void {
    this.pid = pid;
    this.emit('spawn');
  }
  exit(code: number): void {
    this.pid = undefined;
    this.emit('exit', code);
  }
}

const electron = vi.hoisted(() => ({
  forked: [] as FakeUtilityProcess[],
  metrics: [] as Array<{ pid: number; memory: { workingSetSize: number } }>,
}));

vi.mock('electron', () => ({
  utilityProcess: {
    fork: (modulePath: string, args: string[], options: Record<string, unknown>) => {
      const child = new FakeUtilityProcess(modulePath, args, options);
      electron.forked.push(child);
      return child;
    },
  },
  app: { getAppMetrics: () => electron.metrics },
}));

const { createUtilityLauncher } = await import('./utilityLauncher');

beforeEach(() => {
  electron.forked.length = 0;
  guards.length = 0;
  electron.metrics = [];
  process.env.OPENAI_API_KEY = 'sk-test-secret';
});
afterEach(() => {
  delete process.env.OPENAI_API_KEY;
});

/** Guards started, by pid; never real ones: the pids here are made up. */
const guards: Array<{ pid: number | undefined; disposed: boolean }> = [];

function launch(memoryMb = 256) {
  const guard = (pid: number | undefined) => {
    const entry = { pid, disposed: false };
    guards.push(entry);
    return { dispose: () => void (entry.disposed = true) };
  };
  const sandbox = createUtilityLauncher('/app/out/main/sandbox.js', guard).launch({ memoryMb, readablePaths: ['/data'] });
  const child = electron.forked.at(-1);
  if (!child) throw new Error('nothing was forked');
  return { sandbox, child };
}

describe('utility launcher', () => {
  it('forks the harness with a minimal, non-empty environment and V8 flags only', () => {
    const { child } = launch(300);
    expect(child.modulePath).toBe('/app/out/main/sandbox.js');
    expect(child.args).toEqual([]);
    expect(child.options).toMatchObject({
      serviceName: 'RLMScope sandbox',
      execArgv: ['--js-flags=--max-old-space-size=300 --disallow-code-generation-from-strings'],
    });
    const env = child.options.env as Record<string, string>;
    expect(Object.keys(env).length).toBeGreaterThan(0);
    expect(JSON.stringify(env)).not.toContain('sk-test-secret');
    expect(env).not.toHaveProperty('OPENAI_API_KEY');
    expect(env).not.toHaveProperty('PATH');
    expect((child.options.stdio as string[])[0]).toBe('ignore');
  });

  it('posts messages and passes on what the child sends', () => {
    const { sandbox, child } = launch();
    const received: unknown[] = [];
    sandbox.onMessage((message) => received.push(message));
    sandbox.send({ type: 'ping', id: 1 });
    child.emit('message', { type: 'pong', id: 1 });
    expect(child.posted).toEqual([{ type: 'ping', id: 1 }]);
    expect(received).toEqual([{ type: 'pong', id: 1 }]);
  });

  it('reports the exit with the V8 fatal error and the end of stderr', async () => {
    const { sandbox, child } = launch();
    const exits: unknown[] = [];
    sandbox.onExit((exit) => exits.push(exit));
    child.spawn(4242);
    child.stderr.write(`${'x'.repeat(9000)}\n<--- JS stacktrace --->\n`);
    await new Promise((resolve) => setImmediate(resolve));
    child.emit('error', 'FatalError', 'Reached heap limit Allocation failed - JavaScript heap out of memory', '{}');
    child.exit(133);
    expect(exits).toHaveLength(1);
    const exit = exits[0] as { code: number; signal: null; detail: string };
    expect(exit).toMatchObject({ code: 133, signal: null });
    expect(exit.detail).toMatch(/^V8 FatalError: Reached heap limit/);
    expect(exit.detail).toContain('JS stacktrace');
    expect(exit.detail.length).toBeLessThan(8 * 1024 + 200);
    // Nothing is posted to a process that is gone.
    sandbox.send({ type: 'ping', id: 2 });
    expect(child.posted).toEqual([]);
  });

  it('kills a process that has not spawned yet as soon as it does', () => {
    const { sandbox, child } = launch();
    sandbox.kill();
    expect(child.kills).toBe(0);
    child.spawn(1001);
    expect(child.kills).toBe(1);
  });

  it('guards the process against outliving the app once it has a pid, until it exits', () => {
    const { child } = launch();
    expect(guards).toEqual([]);
    child.spawn(4343);
    expect(guards).toEqual([{ pid: 4343, disposed: false }]);
    child.exit(0);
    expect(guards).toEqual([{ pid: 4343, disposed: true }]);
  });

  it('reads memory from the app metrics of its own pid, in bytes', async () => {
    const { sandbox, child } = launch();
    expect(await sandbox.memoryBytes()).toBeNull();
    child.spawn(777);
    electron.metrics = [
      { pid: 1, memory: { workingSetSize: 999_999 } },
      { pid: 777, memory: { workingSetSize: 51_200 } },
    ];
    expect(sandbox.pid).toBe(777);
    expect(await sandbox.memoryBytes()).toBe(51_200 * 1024);
    electron.metrics = [];
    expect(await sandbox.memoryBytes()).toBeNull();
  });
});
