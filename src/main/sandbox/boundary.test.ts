// The second line of defence: even code that escaped the vm context runs in a process that holds
// no secrets and (under Node's permission model) cannot touch the file system beyond its own
// code and the user's inputs, start processes or workers, load addons or compile strings.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createForkLauncher } from './host/forkLauncher';

describe('sandbox process boundary', () => {
  it('denies files, processes, workers, addons and code generation, and carries no API key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rlm-boundary-'));
    const secretPath = join(dir, 'secret.txt');
    const inputPath = join(dir, 'input.txt');
    writeFileSync(secretPath, 'sk-secret');
    writeFileSync(inputPath, 'the document');
    process.env.OPENAI_API_KEY = 'sk-should-not-leak';
    const launcher = createForkLauncher(join(__dirname, '..', 'testing', 'boundaryProbe.cjs'));
    const child = launcher.launch({ memoryMb: 256, readablePaths: [inputPath] });
    const report = await new Promise<{ results: Record<string, string>; envKeys: string[] }>((resolve) => {
      child.onMessage((message) => resolve(message as { results: Record<string, string>; envKeys: string[] }));
      child.send({ secretPath, writePath: join(dir, 'written.txt') } as never);
    });
    child.kill();
    expect(report.results).toMatchObject({
      readSecret: 'ERR_ACCESS_DENIED',
      readHome: 'ERR_ACCESS_DENIED',
      writeFile: 'ERR_ACCESS_DENIED',
      spawn: 'ERR_ACCESS_DENIED',
      worker: 'ERR_ACCESS_DENIED',
      codegen: 'EvalError',
    });
    expect(report.results.addon).not.toBe('allowed');
    expect(report.envKeys.filter((key) => !key.startsWith('NODE_CHANNEL'))).toEqual(['NODE_ENV']);
  });
});
