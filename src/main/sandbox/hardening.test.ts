// Issue 9 (hardening), the sandbox's part, on the real sandbox process: nothing a cell
// legitimately produced is lost to an oversized message, clocks are recorded compactly, and
// every source of time and randomness replays after a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { CELL_LIMITS } from '../../shared/sandboxProtocol';
import type { Sandbox } from './sandbox';
import { startTestSandbox } from './testing';

const open: Sandbox[] = [];
async function start(...args: Parameters<typeof startTestSandbox>) {
  const started = await startTestSandbox(...args);
  open.push(started.sandbox);
  return started;
}
afterEach(() => {
  for (const sandbox of open.splice(0)) sandbox.dispose();
});

const MEMORY_BOMB = 'const hoard = []; while (true) { const b = new ArrayBuffer(64 * 1024 * 1024); new Uint8Array(b).fill(1); hoard.push(b) }';

describe('a cell whose parts are too big to send whole', () => {
  it('keeps the cell, its output and its declarations when its error message is over a million characters', async () => {
    const { sandbox } = await start();
    const result = await sandbox.runCell('print("kept"); const keepMe = 1; throw new Error("x".repeat(1_100_000))');
    expect(result.restart).toBeNull();
    expect(result.output).toBe('kept\n');
    expect(result.error?.length).toBeLessThan(CELL_LIMITS.errorChars + 200);
    expect(result.error).toMatch(/^Error: xxx/);
    expect(result.error).toMatch(/more characters of this error not kept\]$/);
    expect((await sandbox.runCell('print(keepMe)')).output).toBe('1\n');
  });

  it('keeps the cell when FINAL_VAR names a missing variable among 60,000 globals', async () => {
    const { sandbox } = await start();
    const result = await sandbox.runCell('for (let i = 0; i < 60000; i++) globalThis["a_rather_long_variable_name_" + i] = i;\nprint("vars"); const keepMe = 3;\nFINAL_VAR("missing")');
    expect(result.restart).toBeNull();
    expect(result.output).toBe('vars\n');
    expect(result.error).toMatch(/no variable named "missing"/);
    expect((await sandbox.runCell('print(keepMe, a_rather_long_variable_name_59999)')).output).toBe('3 59999\n');
  });

  it('keeps a cell that reads the clock 10.5 million times, and records it in a bounded space', async () => {
    const { sandbox } = await start({ cellTimeoutMs: 120_000 });
    const result = await sandbox.runCell('print("before"); let last = 0; for (let i = 0; i < 10_500_000; i++) last = Date.now(); const keepClock = last;');
    expect(result.error).toBeNull();
    expect(result.restart).toBeNull();
    expect(result.output).toBe('before\n');
    expect(result.clock.reads).toBe(10_500_000);
    expect(result.clock.runs.length).toBeLessThanOrEqual(2 * CELL_LIMITS.clockRuns);
    expect((await sandbox.runCell('print(typeof keepClock)')).output).toBe('number\n');
  }, 120_000);

  it('replays a compact clock record after a restart: restored variables keep their values', async () => {
    const { sandbox } = await start({ cellTimeoutMs: 20_000, memoryMb: 300 });
    // Reads until the clock has moved 30 times: a record of many runs, each read many times.
    await sandbox.runCell('const seen = []; let reads = 0; while (seen.length < 30) { const t = Date.now(); reads++; if (seen[seen.length - 1] !== t) seen.push(t) }');
    const before = (await sandbox.runCell('print(seen.join(), reads)')).output;
    const bomb = await sandbox.runCell(MEMORY_BOMB);
    expect(bomb.restart).toMatchObject({ lostCells: 0 });
    expect((await sandbox.runCell('print(seen.join(), reads)')).output).toBe(before);
  });
});
