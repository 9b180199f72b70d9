// Issue 9 (hardening), the sandbox's part, on the real sandbox process: nothing a cell
// legitimately produced is lost to an oversized message, clocks are recorded compactly, and
// every source of time and randomness replays after a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { CELL_LIMITS } from '../../shared/sandboxProtocol';
import type { Sandbox } from './host/sandbox';
import { startTestSandbox } from '../testing/testSandbox';

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
    const { sandbox } = await start({ cellTimeoutMs: 30_000 });
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

describe('time and randomness after a restart', () => {
  it('records every way of reading the clock, so restored variables keep their values', async () => {
    const { sandbox } = await start({ cellTimeoutMs: 20_000, memoryMb: 300 });
    await sandbox.runCell(`
      const attempt = (f) => { try { return String(f()) } catch (e) { return 'refused: ' + e.constructor.name } };
      const reads = [
        attempt(() => Date.now()),
        attempt(() => +new Date()),
        attempt(() => Object.getPrototypeOf(Date).now()),
        attempt(() => +new (Object.getPrototypeOf(Date))()),
        attempt(() => +new (Object.getPrototypeOf(Date.prototype).constructor)()),
        attempt(() => +Reflect.construct(Object.getPrototypeOf(new Date()).constructor, [])),
        attempt(() => new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: 'numeric', second: 'numeric', fractionalSecondDigits: 3 }).format()),
        attempt(() => JSON.stringify(new Intl.DateTimeFormat('en-US', { second: 'numeric', fractionalSecondDigits: 3 }).formatToParts())),
        attempt(() => Date()),
        attempt(() => { class Later extends Date {} return +new Later() }),
      ];`);
    const before = (await sandbox.runCell('print(reads.join("\\n"))')).output;
    const bomb = await sandbox.runCell(MEMORY_BOMB);
    expect(bomb.restart).toMatchObject({ lostCells: 0 });
    expect((await sandbox.runCell('print(reads.join("\\n"))')).output).toBe(before);
  });

  it('offers no source of time or randomness but the recorded ones (DESIGN §3, §11)', async () => {
    const { sandbox } = await start();
    const names = ['performance', 'crypto', 'process', 'setTimeout', 'setImmediate', 'setInterval', 'queueMicrotask', 'SharedArrayBuffer', 'Atomics', 'WeakRef', 'FinalizationRegistry', 'Temporal', 'navigator', 'require'];
    const result = await sandbox.runCell(`print(${JSON.stringify(names)}.map((n) => n + ':' + typeof globalThis[n]).join(' '))`);
    expect(result.output.trim()).toBe(names.map((n) => `${n}:undefined`).join(' '));
  });

  it('reports what a cell drew and the order its code received results in, late ones last', async () => {
    const { sandbox } = await start({
      onCall: async (call) => {
        const prompt = call.kind === 'llm' ? call.prompt : '';
        await new Promise((resolve) => setTimeout(resolve, prompt === 'slow' ? 300 : 0));
        return prompt.toUpperCase();
      },
    });
    const result = await sandbox.runCell(`const order = []; Math.random(); Math.random(); Math.random();
await Promise.all(['slow', 'fast'].map((p) => llm_query(p).then((v) => order.push(v)))); print(order.join())`);
    expect(result.output.trim()).toBe('FAST,SLOW');
    expect(result.randomDraws).toBe(3);
    expect(result.calls.made.map((c) => [c.callId, c.kind, c.result?.value])).toEqual([
      [0, 'llm', 'SLOW'],
      [1, 'llm', 'FAST'],
    ]);
    expect(result.calls.trace?.received).toEqual([[1], [0]]);
  });

  it('never hands out a random value twice, and replays the ones restored variables hold', async () => {
    const { sandbox } = await start({ cellTimeoutMs: 3000, memoryMb: 300 });
    await sandbox.runCell('const first = Math.random()');
    const timedOut = await sandbox.runCell('print(Math.random(), Math.random()); while (true) {}');
    expect(timedOut.timedOut).toBe(true);
    const handedOut = timedOut.output.trim().split(' ');
    await sandbox.runCell('const third = Math.random()');
    const restored = (await sandbox.runCell('print(first, third)')).output;
    handedOut.push(...restored.trim().split(' '));
    const bomb = await sandbox.runCell(MEMORY_BOMB);
    expect(bomb.restart).toMatchObject({ restoredCells: 3, lostCells: 0 });
    expect((await sandbox.runCell('print(first, third)')).output).toBe(restored);
    const fresh = (await sandbox.runCell('print(Math.random(), Math.random(), Math.random())')).output.trim().split(' ');
    for (const value of fresh) expect(handedOut).not.toContain(value);
    expect(new Set([...handedOut, ...fresh]).size).toBe(handedOut.length + fresh.length);
  });
});

describe('the recorded Date', () => {
  it('still behaves as Date does for model code', async () => {
    const { sandbox } = await start();
    const result = await sandbox.runCell(`
      class Stamp extends Date { year() { return this.getUTCFullYear() } }
      const fixed = new Date(Date.UTC(2020, 0, 2, 3, 4, 5));
      print(fixed.toISOString(), new Date('2021-05-06T00:00:00Z').getTime(), Date.parse('2021-05-06T00:00:00Z'));
      print(fixed instanceof Date, new Stamp(0).year(), new Stamp() instanceof Date, Date.name, Date.length, typeof Date(), Date.prototype.constructor === Date);
      print(new Intl.DateTimeFormat('en-US', { timeZone: 'UTC' }).format(fixed), new Date() <= Date.now());`);
    expect(result.error).toBeNull();
    expect(result.output).toBe('2020-01-02T03:04:05.000Z 1620259200000 1620259200000\ntrue 1970 true Date 7 string true\n1/2/2020 true\n');
  });
});
