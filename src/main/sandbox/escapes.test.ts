// Every escape attempt of the corpus fails inside the sandbox, and the sandbox goes on working.
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESCAPE_PROBES, PROBE_HELPERS } from '../testing/escapeCorpus';
import type { SandboxCall } from './host/cellHostCalls';
import type { Sandbox } from './host/sandbox';
import { startTestSandbox } from '../testing/testSandbox';

let sandbox: Sandbox;
const calls: SandboxCall[] = [];

beforeAll(async () => {
  ({ sandbox } = await startTestSandbox({
    cellTimeoutMs: 1500,
    onCall: async (call) => {
      calls.push(call);
      const text = call.kind === 'llm' ? call.prompt : call.kind === 'rlm' ? call.query : call.prompts.join();
      if (text.includes('FAIL')) throw new Error('scripted failure');
      return call.kind === 'llm_batched' ? JSON.stringify(call.prompts.map(() => 'ok')) : 'ok';
    },
  }));
  const helpers = await sandbox.runCell(PROBE_HELPERS);
  expect(helpers.error).toBeNull();
});

afterAll(() => sandbox?.dispose());

describe('sandbox escape corpus', () => {
  const categories = new Set(ESCAPE_PROBES.map((probe) => probe.category));

  it('covers every category of the checklist', () => {
    expect([...categories]).toEqual(
      expect.arrayContaining([
        'constructor chains',
        'prototype pollution',
        'prepareStackTrace',
        'error generation',
        'caller',
        'proxy traps',
        'promises',
        'symbols',
        'custom inspect',
        'monkey patching',
        'host globals',
        'code generation',
        'aggregate errors',
        'denial of service',
        // The red-team pass of issue 9.
        'contract values',
        'SHOW_VARS and FINAL_VAR',
        'stack traces',
        'dynamic import',
        'protocol overrides',
      ]),
    );
  });

  for (const probe of ESCAPE_PROBES) {
    // A known leak (described on the probe; never an escape) is expected to fail until it is
    // fixed: then this test fails, and the probe's `knownLeak` is removed.
    const test = probe.knownLeak ? it.fails : it;
    test(`${probe.category}: ${probe.label}${probe.knownLeak ? ` [KNOWN LEAK: ${probe.knownLeak}]` : ''}`, async () => {
      const result = await sandbox.runCell(probe.code);
      const text = `${result.output}\n${result.error ?? ''}`;
      expect(text).not.toMatch(/ESCAPED|LEAK|CODEGEN|WASM compiled|SAB created|ATOMICS|present: /);
      if (probe.expectKill) {
        // Killed by the deadline (during the probe or just after it) and restored by replay.
        let alive = await sandbox.runCell('print(typeof report, 6 * 7)');
        const restarts = [result.restart, alive.restart].filter((r) => r !== null);
        if (alive.output !== 'function 42\n') alive = await sandbox.runCell('print(typeof report, 6 * 7)');
        expect(restarts.map((r) => r?.reason)).toEqual([expect.stringMatching(/did not respond/)]);
        expect(alive.output).toBe('function 42\n');
        return;
      }
      expect(result.restart).toBeNull();
      if (probe.expectTimeout) expect(result.timedOut).toBe(true);
      else expect(result.timedOut).toBe(false);
      // The sandbox still works, and still has the helpers defined before the probe.
      const alive = await sandbox.runCell('print(typeof report, 6 * 7)');
      expect(alive.output).toBe('function 42\n');
    }, 20_000);
  }

  it('detects a real escape: the probes fail loudly on an unprotected vm context', () => {
    // A context that breaks the rules (a host function passed in, research E3) must be caught.
    const output: string[] = [];
    const context = vm.createContext({ hostFn: () => 1, print: (text: string) => output.push(text) });
    vm.runInContext(`${PROBE_HELPERS}; viaConstructor('hostFn', hostFn); report('object', {}); report('host', hostFn)`, context);
    expect(output).toContain('ESCAPED hostFn');
    expect(output).toContain('LEAK host');
  });

  it('never ran an inspect hook and never served a call from a finished cell', async () => {
    const result = await sandbox.runCell('print(globalThis.inspected, globalThis.backgroundCalls)');
    expect(result.output).toBe('no 0\n');
    // bg0 was made while its cell ran; nothing after the cell ended reached the host.
    const background = calls.flatMap((call) => (call.kind === 'llm' && call.prompt.startsWith('bg') ? [call.prompt] : []));
    expect(background).toEqual(['bg0']);
  });

  it("kept the parent's prototypes clean when a probe rewrote a call's payload", () => {
    // 'Object.prototype.toJSON rewrites the call payload' sends own __proto__ and constructor keys.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });
});

// The red-team probes can fail: run against a context that breaks the rules the way a careless
// host would (it converts, stringifies, enumerates or imports for the model), each one reports.
describe('the red-team probes detect a real leak', () => {
  function probe(label: string): string {
    const found = ESCAPE_PROBES.find((p) => p.label === label);
    if (!found) throw new Error(`no probe labelled ${label}`);
    return found.code;
  }

  /** Runs a probe in a plain vm context where the contract functions are host functions. */
  async function runUnprotected(code: string, api: (global: () => object) => Record<string, unknown>): Promise<string[]> {
    const output: string[] = [];
    let contextGlobal: object = {};
    const context = vm.createContext({
      // Keeps strings only: the leak each test plants is the only host code touching model values.
      print: (...values: unknown[]) => void output.push(values.filter((v) => typeof v === 'string').join(' ')),
      ...api(() => contextGlobal),
    });
    contextGlobal = vm.runInContext('globalThis', context) as object;
    vm.runInContext(PROBE_HELPERS, context, { filename: 'cell-helpers' });
    const done = vm.runInContext(`(async () => {\n${code}\n})()`, context, { filename: 'cell-probe' }) as Promise<unknown>;
    await done.catch(() => undefined);
    return output;
  }

  it("a host that converts llm_query's prompt in sloppy code: the spy's caller reaches process", async () => {
    const convert = new Function('prompt', 'return Promise.resolve("" + prompt)');
    const output = await runUnprotected(probe("llm_query's prompt as a getter object, a proxy and a boxed string"), () => ({ llm_query: convert }));
    expect(output.some((line) => line.startsWith('ESCAPED llm prompt') && line.includes('caller'))).toBe(true);
    expect(output.some((line) => line.startsWith('LEAK host frame'))).toBe(true);
  });

  it("a host that stringifies FINAL's answer: toJSON sees the host's frames", async () => {
    const output = await runUnprotected(probe("FINAL's answer as a getter object, a proxy, toJSON, a cycle, a BigInt"), () => ({
      FINAL: (answer: unknown) => {
        try { JSON.stringify(answer); } catch { /* a cycle or a BigInt */ }
      },
    }));
    expect(output.some((line) => line.startsWith('LEAK host frame final'))).toBe(true);
  });

  it('a host that reads the globals for SHOW_VARS: the global getter sees the host', async () => {
    const output = await runUnprotected(probe('getters on globalThis'), (global) => ({
      SHOW_VARS: () => {
        const g = global() as Record<string, unknown>;
        return Object.keys(g).map((key) => { try { return `${key}: ${typeof g[key]}`; } catch { return key; } }).join('; ');
      },
      FINAL_VAR: () => undefined,
    }));
    expect(output.some((line) => line.startsWith('LEAK host frame global getter'))).toBe(true);
  });

  it('a host that stringifies after Object.prototype.toJSON was replaced: the override runs in the host', async () => {
    const stringify = async (...args: unknown[]) => JSON.stringify(args);
    const output = await runUnprotected(probe('Object.prototype.then and toJSON before every contract function'), () => ({
      llm_query: stringify, llm_query_batched: stringify, rlm_query: stringify, FINAL: stringify, SHOW_VARS: () => '', FINAL_VAR: () => undefined,
    }));
    expect(output.some((line) => line.startsWith('LEAK host frame Object.prototype.toJSON'))).toBe(true);
  });

  it('import() left to the host module loader: its rejection reaches process', async () => {
    const output = await runUnprotected(probe("import('node:fs') and import('node:child_process')"), () => ({}));
    expect(output.some((line) => line.startsWith('ESCAPED import node:'))).toBe(true);
  });
});
