import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from './sandbox';
import { sandboxChildren } from '../../testing/processes';
import { startTestSandbox } from '../../testing/testSandbox';

const open: Sandbox[] = [];
async function start(...args: Parameters<typeof startTestSandbox>) {
  const started = await startTestSandbox(...args);
  open.push(started.sandbox);
  return started;
}
afterEach(() => {
  for (const sandbox of open.splice(0)) sandbox.dispose();
});

describe('sandbox cells', () => {
  it('prints, keeps top-level declarations between cells and shows a last expression', async () => {
    const { sandbox } = await start();
    const first = await sandbox.runCell('const words = context.split(" ");\nlet n = words.length;\nfunction twice(x) { return x * 2 }\nclass Box { constructor(v) { this.v = v } }\nprint("words:", n)');
    expect(first.error).toBeNull();
    expect(first.output).toBe('words: 2\n');
    const second = await sandbox.runCell('const words = ["redeclared"]; twice(n) + new Box(1).v + words.length');
    expect(second.error).toBeNull();
    expect(second.output).toBe('6\n');
  });

  it('keeps what a cell declared before it threw, and reports the line', async () => {
    const { sandbox } = await start();
    const failed = await sandbox.runCell('const before = 41;\n\nnull.boom;\nconst after = 1;');
    expect(failed.error).toMatch(/TypeError: Cannot read properties of null/);
    expect(failed.error).toMatch(/cell-\d+:3:/);
    const next = await sandbox.runCell('print(before + 1, typeof after)');
    expect(next.output).toBe('42 undefined\n');
  });

  it('supports top-level await and sub-calls, in order and in parallel', async () => {
    const { sandbox, calls } = await start();
    const result = await sandbox.runCell(
      'const a = await llm_query("one");\nconst [b, c] = await Promise.all([llm_query("two"), llm_query("three", { model: "small" })]);\nconst batch = await llm_query_batched(["x", "y"]);\nprint(a, b, c, batch.join("|"))',
    );
    expect(result.error).toBeNull();
    expect(result.output).toBe('echo:one echo:two echo:three echo:x|echo:y\n');
    expect(calls).toContainEqual({ kind: 'llm', prompt: 'three', model: 'small' });
    expect(calls.filter((c) => c.kind === 'llm_batched')).toHaveLength(1);
  });

  it('turns a failed sub-call into an error the code can catch', async () => {
    const { sandbox } = await start({
      onCall: async () => {
        throw new Error('provider said no');
      },
    });
    const result = await sandbox.runCell('try { await llm_query("x") } catch (e) { print("caught", e.message, e instanceof Error) }');
    expect(result.output).toBe('caught provider said no true\n');
  });

  it('ends with FINAL and FINAL_VAR, formatting non-strings as JSON', async () => {
    const { sandbox } = await start();
    expect((await sandbox.runCell('FINAL("the answer")')).final).toBe('the answer');
    expect((await sandbox.runCell('const result = { count: 3 }; FINAL_VAR("result")')).final).toBe('{\n  "count": 3\n}');
    const missing = await sandbox.runCell('FINAL_VAR("nope")');
    expect(missing.final).toBeNull();
    expect(missing.error).toMatch(/no variable named "nope".*result: object/);
  });

  it('gives an array context with names for several documents', async () => {
    const { sandbox } = await start({
      context: { kind: 'items', items: [{ name: 'a.txt', text: 'aaa' }, { name: 'b.txt', text: 'bb' }], asArray: true, partBytes: 1 << 29 },
    });
    expect(sandbox.contextInfo).toMatchObject({ kind: 'array', items: 2, length: 5, names: ['a.txt', 'b.txt'] });
    const result = await sandbox.runCell('print(Array.isArray(context), context.length, context_names.join(","), context[1])');
    expect(result.output).toBe('true 2 a.txt,b.txt bb\n');
  });

  it('reads files itself, splitting one too large for a part into several', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rlm-ctx-'));
    const big = join(dir, 'big.txt');
    writeFileSync(big, 'é'.repeat(50) + 'x'.repeat(51)); // 151 bytes; a part holds 64
    const { sandbox } = await start({
      context: { kind: 'items', items: [{ path: big, name: 'big.txt' }], asArray: false, partBytes: 64, wholeBytes: 64 },
      readablePaths: [big],
    });
    expect(sandbox.contextInfo).toMatchObject({ kind: 'array', split: true, items: 3 });
    const result = await sandbox.runCell('print(context.join("") === "é".repeat(50) + "x".repeat(51), context_names[0])');
    expect(result.output).toBe('true big.txt (part 1/3)\n');
  });

  it('truncates output beyond the limit and counts what it dropped', async () => {
    const { sandbox } = await start({ outputChars: 100 });
    const result = await sandbox.runCell('for (let i = 0; i < 50; i++) print("line " + i)');
    expect(result.output.length).toBe(100);
    expect(result.droppedChars).toBeGreaterThan(0);
  });

  it('seeds Math.random and records Date.now', async () => {
    const one = await start({ seed: 7 });
    const two = await start({ seed: 7 });
    const code = 'print(Math.random(), Math.random(), typeof Date.now(), new Date().getFullYear() > 2000)';
    const a = await one.sandbox.runCell(code);
    const b = await two.sandbox.runCell(code);
    expect(a.output).toBe(b.output);
    expect(a.clock.reads).toBe(2);
  });

  it('shows SHOW_VARS of user variables only', async () => {
    const { sandbox } = await start();
    await sandbox.runCell('const notes = ["a", "b"]; var label = "x"');
    const result = await sandbox.runCell('print(SHOW_VARS())');
    expect(result.output).toBe('Variables: notes: array, 2 items; label: string, 1 chars\n');
  });
});

describe('sandbox limits', () => {
  it('interrupts a synchronous infinite loop and goes on', async () => {
    const { sandbox } = await start({ cellTimeoutMs: 300 });
    await sandbox.runCell('const kept = "still here"');
    const looped = await sandbox.runCell('while (true) {}');
    expect(looped.timedOut).toBe(true);
    expect(looped.error).toMatch(/300 ms/);
    expect((await sandbox.runCell('print(kept)')).output).toBe('still here\n');
  });

  it('interrupts a microtask loop', async () => {
    const { sandbox } = await start({ cellTimeoutMs: 300 });
    const looped = await sandbox.runCell('(async () => { while (true) { await null } })(); await new Promise(() => {})');
    expect(looped.timedOut).toBe(true);
    expect((await sandbox.runCell('print(1 + 1)')).output).toBe('2\n');
  });

  it('does not count time spent waiting on sub-calls against the cell', async () => {
    const { sandbox } = await start({
      cellTimeoutMs: 200,
      onCall: () => new Promise((resolve) => setTimeout(() => resolve('late'), 500)),
    });
    const result = await sandbox.runCell('print(await llm_query("slow"))');
    expect(result.error).toBeNull();
    expect(result.output).toBe('late\n');
  });

  it('ends a cell that waits on a promise nothing can settle', async () => {
    const { sandbox } = await start();
    const result = await sandbox.runCell('await new Promise(() => {})');
    expect(result.error).toMatch(/will ever settle/);
  });

  it('kills a memory bomb, restarts, and restores variables without new sub-calls', async () => {
    const { sandbox, calls } = await start({ memoryMb: 300, cellTimeoutMs: 20_000 });
    await sandbox.runCell('const summary = await llm_query("summarise"); const r = Math.random();');
    const before = await sandbox.runCell('print(summary, r)');
    const bomb = await sandbox.runCell('const hoard = []; while (true) { const b = new ArrayBuffer(64 * 1024 * 1024); new Uint8Array(b).fill(1); hoard.push(b) }');
    expect(bomb.error).toMatch(/killed: it used \d+ MB of memory/);
    expect(bomb.restart).toMatchObject({ restoredCells: 2, lostCells: 0 });
    const after = await sandbox.runCell('print(summary, r)');
    expect(after.output).toBe(before.output);
    expect(calls.filter((c) => c.kind === 'llm')).toHaveLength(1);
  });

  it('says what a restart cost, and re-runs no more earlier work than one restart may spend', async () => {
    // Issue 9: every restart re-ran every earlier cell, so each cost as much as all work so far.
    const { sandbox } = await start({ memoryMb: 300, cellTimeoutMs: 20_000, restore: { perRestartMs: 400, perSandboxMs: 60_000 } });
    await sandbox.runCell('const a = 1');
    const slow = await sandbox.runCell('const started = Date.now(); while (Date.now() - started < 600) {} const b = 2');
    expect(slow.workMs).toBeGreaterThanOrEqual(600);
    await sandbox.runCell('const c = 3');
    const bomb = await sandbox.runCell('const hoard = []; while (true) { const b = new ArrayBuffer(64 * 1024 * 1024); new Uint8Array(b).fill(1); hoard.push(b) }');
    expect(bomb.restart).toMatchObject({ when: 'during', restoredCells: 1, lostCells: 2, cut: 'restart', budgetMs: 400 });
    expect(bomb.restart?.ms).toBeGreaterThan(0);
    // The cells after the one left out are left out too: they may use what it defined.
    expect((await sandbox.runCell('print(typeof a, typeof b, typeof c)')).output).toBe('number undefined undefined\n');
  });

  it('kills model code that host work runs outside the cell timeout, and restores the sandbox', async () => {
    // Node's rejection tracking reads properties of an unhandled rejected promise after the cell
    // ended, outside any vm timeout: a proxy in the promise's prototype chain runs model code there.
    const { sandbox } = await start({ cellTimeoutMs: 300 });
    await sandbox.runCell('const kept = "restored"');
    const [pid] = sandboxChildren();
    const escape = await sandbox.runCell(
      "const p = Promise.reject(new Error('x')); Object.setPrototypeOf(p, new Proxy(Object.create(null), { get() { for (;;) {} } }));",
    );
    // No cell runs now, and the spin is still killed: the deadline watches an idle sandbox too.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect(sandboxChildren()).not.toContain(pid);
    const next = await sandbox.runCell('print(kept)');
    expect([escape, next].some((r) => r.restart !== null && /did not respond/.test(r.restart.reason))).toBe(true);
    expect(next.output).toBe('restored\n');
  });

  it('survives a heap out-of-memory crash', async () => {
    const { sandbox } = await start({ memoryMb: 128, cellTimeoutMs: 30_000 });
    await sandbox.runCell('const x = 5');
    const bomb = await sandbox.runCell('const all = []; while (true) all.push({ a: Math.random(), b: [1, 2, 3] })');
    expect(bomb.error).toMatch(/killed: (it ran out of memory|it used \d+ MB)/);
    expect((await sandbox.runCell('print(x)')).output).toBe('5\n');
  });
});

describe('sandbox start', () => {
  it('stops loading a large input at once when the run is stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rlm-stop-'));
    const big = join(dir, 'big.txt');
    writeFileSync(big, 'x'.repeat(300 * 1024 * 1024));
    const controller = new AbortController();
    const started = Date.now();
    const starting = startTestSandbox({
      context: { kind: 'items', items: [{ path: big, name: 'big.txt' }], asArray: false, partBytes: 1 << 29 },
      readablePaths: [big],
      memoryMb: 2048,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('the run was stopped')), 20);
    await expect(starting).rejects.toThrow('the run was stopped');
    expect(Date.now() - started).toBeLessThan(1500);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('calls that would flood the parent', () => {
  it('refuses a prompt larger than any model reads, and more text in flight than a cell may hold', async () => {
    const { sandbox, calls } = await start({
      context: { kind: 'items', items: [{ name: 'doc', text: 'x'.repeat(30_000_000) }], asArray: false, partBytes: 1 << 29 },
      memoryMb: 1024,
      // Copying 30 M characters per call takes a few hundred ms; a busy machine must not time it out.
      cellTimeoutMs: 30_000,
      onCall: () => new Promise(() => undefined),
    });
    const big = await sandbox.runCell('try { await llm_query(context.slice(0, 5_000_000)) } catch (e) { print(e.message) }');
    expect(big.output).toBe('llm_query: a prompt is limited to 4,000,000 characters\n');
    const flood = await sandbox.runCell(
      'const waiting = []; let refused = 0; for (let i = 0; i < 10; i++) waiting.push(rlm_query("q", context).catch((e) => { refused++; return e.message })); const messages = await Promise.all(waiting.slice(4)); print(refused, messages[0])',
    );
    // 30 M characters a call: four fit in the 128 M characters a cell may have in flight.
    expect(flood.output).toMatch(/^6 rlm_query refused: the calls of this block already waiting carry 120,000,\d+ characters \(the limit is 128,000,000\); await some of them first\n$/);
    expect(calls.filter((c) => c.kind === 'rlm')).toHaveLength(4);
  });
});
