import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { transformCell } from './cellTransform';

/** Runs transformed cells in a plain context with a minimal stand-in for the prelude's hooks. */
async function runCells(...cells: string[]): Promise<{ context: vm.Context; values: unknown[] }> {
  const values: unknown[] = [];
  const context = vm.createContext({});
  vm.runInContext(
    `var __settled = []; function __rlm_cell(id, body) { __settled.push(body()) } function __rlm_set(n, v) { globalThis[n] = v } function __rlm_import(s) { return Promise.reject(new Error('no import ' + s)) }`,
    context,
  );
  for (const [i, code] of cells.entries()) {
    const result = transformCell(code, i + 1);
    if (!result.ok) throw new Error(result.error);
    vm.runInContext(result.script, context);
    const settled = (context.__settled as Promise<unknown>[]).at(-1);
    values.push(await settled!.catch((error: Error) => `threw ${error.message}`));
  }
  return { context, values };
}

describe('transformCell', () => {
  it('makes top-level declarations of every kind persist', async () => {
    const { context } = await runCells(
      'const a = 1, { b, c: [d] } = { b: 2, c: [3] };\nlet e;\nvar f = 4;\nfunction g() { return a + b }\nclass H { v = 5 }',
      'const a = 10; let e = g() + d;',
    );
    expect(vm.runInContext('[a, b, d, e, f, g(), new H().v]', context)).toEqual([10, 2, 3, 15, 4, 12, 5]);
  });

  it('shows the value of a last expression in parentheses, as a notebook does', async () => {
    const { values } = await runCells('({ a: 1 })', '(1, 2);', 'const x = 3;\n(x + 1) * 2', '(async () => 5)()');
    expect(values).toEqual([{ a: 1 }, 2, 8, 5]);
  });

  it('hoists functions within the cell', async () => {
    const { values } = await runCells('const x = later();\nfunction later() { return 7 }\nx');
    expect(values).toEqual([7]);
  });

  it('lifts var out of top-level blocks and loop heads, not out of functions', async () => {
    const { context } = await runCells('if (true) { var inBlock = 1 }\nfor (var i = 0; i < 3; i++) {}\nfor (var k in { key: 1 }) {}\nfunction f() { var local = 1 }\nfor (let j = 0; j < 1; j++) {}');
    expect(vm.runInContext('[inBlock, i, k, typeof local, typeof j]', context)).toEqual([1, 3, 'key', 'undefined', 'undefined']);
  });

  it('keeps declarations made before a throw', async () => {
    const { context, values } = await runCells('const early = 1;\nthrow new Error("stop");\nconst late = 2;');
    expect(values).toEqual(['threw stop']);
    expect(vm.runInContext('[early, typeof late]', context)).toEqual([1, 'undefined']);
  });

  it('supports top-level await and returns the last expression', async () => {
    const { values } = await runCells('const v = await Promise.resolve(20);\nv + 1', 'const quiet = 1;', '"use strict"');
    expect(values).toEqual([21, undefined, undefined]);
  });

  it('rewrites dynamic import everywhere, even inside declarations and as the last expression', async () => {
    const result = transformCell('const m = import("fs");\nfunction f() { return import("os") }\nimport("path")', 1);
    expect(result.ok && result.script).not.toMatch(/(^|[^_])import\(/);
    const { values } = await runCells('let r = []; for (const s of ["a", "b"]) { try { await import(s) } catch (e) { r.push(e.message) } }\nr');
    expect(values).toEqual([['no import a', 'no import b']]);
  });

  it('keeps line numbers', () => {
    const result = transformCell('const a = 1;\nconst b = [\n  2,\n];\nthrow new Error("x")', 1);
    expect(result.ok && result.script.split('\n')).toHaveLength(6);
    expect(result.ok && result.script.split('\n')[4]).toContain('throw new Error("x")');
  });

  it('reports syntax errors with their position', () => {
    const result = transformCell('const = 1', 1);
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/^SyntaxError: .*\(1:6\)/) });
  });
});
