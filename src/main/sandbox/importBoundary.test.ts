// The lint that keeps the sandbox's two sides apart (eslint.config.mjs) does fire: code under
// child/ runs inside the sandbox process and imports only what is listed there; nothing outside
// child/ imports it. Each case lints a source text as if it were a file at the given path (no
// file is written, so nothing is left behind for a concurrent `eslint .` to find).
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './host/harnessPath';

const root = packageRoot();
const eslint = new ESLint({ cwd: root });

async function importErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports' || message.ruleId === 'no-restricted-syntax')
    .map((message) => message.message);
}

const CHILD_FILE = 'src/main/sandbox/child/lintProbe.ts';

describe('the sandbox import boundary', () => {
  it('refuses, in the child, the host, the rest of src/main and Node modules the harness does not use', async () => {
    for (const forbidden of [
      '../host/sandbox',
      '../host/environment',
      '../../store/database',
      '../../../shared/api',
      'node:child_process',
      'node:worker_threads',
      'fs',
      'electron',
      './../host/sandbox',
    ]) {
      const errors = await importErrors(CHILD_FILE, `import * as m from '${forbidden}';\nexport const x = m;\n`);
      expect(errors, forbidden).toEqual([expect.stringContaining('runs inside the sandbox process')]);
    }
  });

  it('refuses, in the child, loading a module at run time', async () => {
    expect(await importErrors(CHILD_FILE, `export const m = import('node:child_process');\n`)).toHaveLength(1);
    expect(await importErrors(CHILD_FILE, `export const m = require('node:child_process');\n`)).toHaveLength(1);
  });

  it('refuses, in the child, the ways round the list: require by another name, eval, Node\'s own loaders, import.meta.glob', async () => {
    for (const code of [
      `const r = require;\nexport const m = r('node:child_process');\n`,
      `export const m = (0, require)('node:child_process');\n`,
      `export const m = require.call(null, 'node:child_process');\n`,
      `export const m = module.require('node:child_process');\n`,
      `export const m = eval('require')('node:child_process');\n`,
      `export const m = process.getBuiltinModule('node:child_process');\n`,
      `export const m = process.mainModule;\n`,
      // vite bundles every module the glob matches, host code included (issue 10 red team).
      `export const m = import.meta.glob('../host/*.ts', { eager: true });\n`,
    ]) {
      const [result] = await eslint.lintText(code, { filePath: join(root, CHILD_FILE) });
      const rules = (result?.messages ?? []).map((message) => message.ruleId);
      expect(rules, code).toEqual(expect.arrayContaining([expect.stringMatching(/^no-(restricted-(syntax|globals|properties)|eval)$/)]));
    }
  });

  it('lets the child import its own folder, the sandbox protocol, clockRecord and the Node modules listed', async () => {
    const code = [
      `import vm from 'node:vm';`,
      `import { types } from 'node:util';`,
      `import { readFileSync } from 'node:fs';`,
      `import { CELL_LIMITS } from '../../../shared/sandboxProtocol';`,
      `import { ClockReplay } from '../../../shared/clockRecord';`,
      `import { createParentPort } from './parentPort';`,
      `export const all = [vm, types, readFileSync, CELL_LIMITS, ClockReplay, createParentPort];`,
    ].join('\n');
    expect(await importErrors(CHILD_FILE, code)).toEqual([]);
  });

  it('refuses, in the shared modules the child may import, values from anything else: they are bundled into the sandbox too', async () => {
    for (const [path, code] of [
      ['src/shared/clockRecord.ts', `import Database from 'better-sqlite3';\nexport const x = Database;\n`],
      ['src/shared/sandboxProtocol.ts', `export * from './api';\n`],
      ['src/shared/domain/node.ts', `export { DEFAULT_LIMITS } from '../limits';\n`],
    ] as const) {
      const [result] = await eslint.lintText(code, { filePath: join(root, path) });
      const messages = (result?.messages ?? []).filter((message) => message.ruleId === '@typescript-eslint/no-restricted-imports');
      expect(messages.map((message) => message.message), path).toEqual([expect.stringContaining('The sandbox process bundles this module')]);
    }
    // Types are erased from the bundle; the shared modules import one another.
    const [fine] = await eslint.lintText(`import type { StopReason } from './run';\nimport { ClockRecorder } from '../clockRecord';\nexport const x: [StopReason?, typeof ClockRecorder?] = [];\n`, {
      filePath: join(root, 'src/shared/domain/node.ts'),
    });
    expect(fine?.messages.filter((message) => message.ruleId?.endsWith('no-restricted-imports'))).toEqual([]);
  });

  it('refuses the child to the host, the rest of src/main, the desktop shell and the benchmarks', async () => {
    for (const [path, specifier] of [
      ['src/main/sandbox/host/lintProbe.ts', '../child/harness'],
      ['src/main/sandbox/lintProbe.test.ts', './child/contextLoader'],
      ['src/main/engine/lintProbe.ts', '../sandbox/child/parentPort'],
      ['src/main/electron/lintProbe.ts', '../sandbox/child/harness'],
      ['bench/lintProbe.ts', '../src/main/sandbox/child/harness'],
    ] as const) {
      const errors = await importErrors(path, `import * as m from '${specifier}';\nexport const x = m;\n`);
      expect(errors, path).toEqual([expect.stringContaining('never imports it')]);
    }
  });
});
