// Every escape attempt of the corpus fails inside the sandbox, and the sandbox goes on working.
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESCAPE_PROBES, PROBE_HELPERS } from './escapeCorpus';
import type { Sandbox, SandboxCall } from './sandbox';
import { startTestSandbox } from './testing';

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
      ]),
    );
  });

  for (const probe of ESCAPE_PROBES) {
    it(`${probe.category}: ${probe.label}`, async () => {
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
});
