import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Runs the entry from source through tsx, so the test does not depend on a fresh build.
const cliPath = join(__dirname, 'cli.ts');
const startCli = (args: string[]): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

async function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  return line;
}

describe('fake provider CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rlm-fake-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the rules file, prints its URL and stops cleanly on SIGTERM', async () => {
    const rules = join(dir, 'rules.json');
    await writeFile(rules, JSON.stringify([{ match: { contains: 'ping' }, reply: { text: 'FINAL(pong)' } }]));
    const child = startCli(['--port', '0', '--rules', rules, '--api-key', 'sk-test', '--latency-ms', '1']);
    try {
      const { url } = JSON.parse(await firstLine(child)) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const client = new OpenAI({ baseURL: url, apiKey: 'sk-test', maxRetries: 0 });
      const reply = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'ping' }] });
      expect(reply.choices[0]?.message.content).toBe('FINAL(pong)');
      // What it billed, for tests that cannot read its memory.
      const ledger = (await (await fetch(`${url}/ledger`)).json()) as { bills: { promptTokens: number; completionTokens: number }[] };
      expect(ledger.bills).toMatchObject([{ promptTokens: 1, completionTokens: 3 }]);
      const wrongKey = new OpenAI({ baseURL: url, apiKey: 'other', maxRetries: 0 });
      await expect(wrongKey.models.list()).rejects.toMatchObject({ status: 401 });
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('exits with an error naming the problem when the rules are missing', async () => {
    const child = startCli(['--rules', join(dir, 'absent.json')]);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain('absent.json');
  });
});
