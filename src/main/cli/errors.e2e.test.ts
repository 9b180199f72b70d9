// Bad input gets one clear line on stderr (no stack trace) and a non-zero exit; a killed run
// leaves a readable database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PriceTable } from '../model/prices';
import { createForkLauncher } from '../sandbox/host/forkLauncher';
import { RlmService } from '../service/rlmService';
import { runCli, startCli, jsonOf } from '../testing/cli';
import { CliHarness } from '../testing/cliHarness';
import { repl, turn } from '../testing/serviceHarness';

const h = new CliHarness();
let input = '';
beforeAll(async () => {
  await h.start();
  input = h.file('input.txt', 'hello\n');
});
afterAll(() => h.stop());

function expectOneCleanLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines.at(-1)).toMatch(pattern);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('rlmscope errors', () => {
  it('refuses a missing file', async () => {
    const result = await runCli(h.runArgs('q', [h.dir + '/missing.txt']));
    expect(result.code).toBe(2);
    expectOneCleanLine(result.stderr, /^rlmscope: no such file or folder: .*missing\.txt$/);
    expect(result.stdout).toBe('');
  });

  it('refuses a binary file', async () => {
    const binary = h.file('photo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    const result = await runCli(h.runArgs('q', [binary]));
    expect(result.code).toBe(2);
    expectOneCleanLine(result.stderr, /^rlmscope: .*photo\.png looks like a PNG image; RLMScope reads text files only$/);
  });

  it('refuses a bad flag value and an unknown flag', async () => {
    const bad = await runCli(h.runArgs('q', [input], '--max-depth', 'deep'));
    expect(bad.code).toBe(2);
    expectOneCleanLine(bad.stderr, /^rlmscope: option '--max-depth <n>' argument 'deep' is invalid\. expected a whole number/);
    const unknown = await runCli(h.runArgs('q', [input], '--turbo'));
    expect(unknown.code).toBe(2);
    expectOneCleanLine(unknown.stderr, /^rlmscope: unknown option '--turbo'/);
    const missing = await runCli(['run', '--file', input]);
    expect(missing.code).toBe(2);
    expectOneCleanLine(missing.stderr, /required option '--query <text>' not specified/);
  });

  it('reports an unreachable endpoint as a failed run', async () => {
    const args = h.runArgs('q', [input]).map((arg) => (arg === h.fake.url ? 'http://127.0.0.1:9/v1' : arg));
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(jsonOf(result)).toMatchObject({ status: 'failed', answer: null, stopReason: 'error', error: expect.stringMatching(/cannot reach http:\/\/127\.0\.0\.1:9\/v1/) });
    expectOneCleanLine(result.stderr, /failed: cannot reach/);
  }, 60_000);

  it('reports a wrong API key without retrying', async () => {
    const before = h.fake.requests.length;
    const args = h.runArgs('q', [input]).map((arg) => (arg === 'test-key' ? 'wrong-key' : arg));
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(jsonOf(result)).toMatchObject({ status: 'failed', error: expect.stringMatching(/rejected the API key \(401\)/) });
    expect(h.fake.requests.length - before).toBe(1);
  });

  it('refuses to call OpenAI without a key', async () => {
    const args = h.runArgs('q', [input]).filter((arg, i, all) => arg !== '--api-key' && all[i - 1] !== '--api-key' && arg !== '--base-url' && all[i - 1] !== '--base-url');
    const result = await runCli(args, { OPENAI_API_KEY: '' });
    expect(result.code).toBe(2);
    // It names every place a key can come from, and says plainly that the desktop app's cannot.
    expectOneCleanLine(result.stderr, /^rlmscope: no API key: set OPENAI_API_KEY, pass --api-key, or save one in the settings of `rlmscope serve` \(kept in .*secrets\.json\); a key saved in the desktop app is encrypted by the system keychain and the command line cannot read it$/);
  });

  it('warns on stderr when the whole input is empty, and still runs', async () => {
    h.fake.setHandler(() => ({ text: 'FINAL(nothing to read)' }));
    const empty = h.file('empty.txt', '');
    const result = await runCli(h.runArgs('q', [empty]));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: the input is empty: empty.txt has 0 bytes, so context holds only empty text');
    // One empty file among others is no reason to warn.
    const other = await runCli(h.runArgs('q', [empty, input]));
    expect(other.code).toBe(0);
    expect(other.stderr).not.toContain('the input is empty');
  });

  it('prints its version', async () => {
    const { version } = (await import('../../../package.json')).default;
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${version}\n`);
    }
  });

  it('says an empty query is empty, in the words of its flag', async () => {
    const before = h.fake.requests.length;
    for (const query of ['', '   ']) {
      const result = await runCli(h.runArgs(query, [input]));
      expect(result.code).toBe(2);
      expectOneCleanLine(result.stderr, /^rlmscope: the query is empty: pass the question with --query TEXT$/);
      expect(result.stderr).not.toMatch(/runs\.start|params|schema/);
    }
    expect(h.fake.requests.length).toBe(before);
  });

  it('names the flag and the value of a base URL that is not one, and where else it came from', async () => {
    const args = h.runArgs('q', [input]).map((arg) => (arg === h.fake.url ? 'not-a-url' : arg));
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expectOneCleanLine(result.stderr, /^rlmscope: option '--base-url <url>' argument 'not-a-url' is invalid\. expected an http\(s\) URL/);
    const withoutFlag = h.runArgs('q', [input]).filter((arg, i, all) => arg !== '--base-url' && all[i - 1] !== '--base-url');
    const fromEnv = await runCli(withoutFlag, { OPENAI_BASE_URL: 'ftp://example.com' });
    expect(fromEnv.code).toBe(2);
    expectOneCleanLine(fromEnv.stderr, /^rlmscope: OPENAI_BASE_URL "ftp:\/\/example\.com" is not an http\(s\) URL/);
  });

  it('shows an unknown run as one line', async () => {
    const result = await runCli(['show', 'r-nope', '--db', h.dbPath]);
    expect(result.code).toBe(2);
    expectOneCleanLine(result.stderr, /^rlmscope: no run r-nope$/);
  });
});

describe('a run killed with SIGKILL', () => {
  it('leaves every step up to the kill readable, then is marked interrupted', async () => {
    let hung: () => void = () => undefined;
    const hanging = new Promise<void>((resolve) => (hung = resolve));
    h.fake.setHandler((req) => {
      if (turn(req) === 0) return { text: repl('const counted = context.length;\nprint("length", counted)'), usage: { prompt_tokens: 500, completion_tokens: 50 } };
      hung();
      return { hang: true };
    });
    const { child, result } = startCli(h.runArgs('q', [input]));
    await hanging;
    child.kill('SIGKILL');
    expect((await result).signal).toBe('SIGKILL');

    // Reading writes nothing: the run is shown as it was left until a writer opens the database.
    const runId = await lastRunId();
    expect((await h.show(runId)).run).toMatchObject({ status: 'running' });
    const writer = RlmService.open({ dbPath: h.dbPath, baseUrl: 'http://127.0.0.1:9/v1', rootModel: 'm', subModel: 'm', prices: PriceTable.withDefaults(), launcher: createForkLauncher() });
    await writer.close();

    const shown = await h.show(runId);
    expect(shown.run).toMatchObject({ status: 'interrupted', modelCalls: 1, inputTokens: 500, outputTokens: 50, answer: null });
    expect(shown.nodes.map((n) => `${n.kind}:${n.status}`)).toEqual(['rlm:interrupted', 'llm:completed', 'cell:completed', 'llm:interrupted']);
    expect(shown.nodes[2]).toMatchObject({ output: 'length 6\n' });
    const listed = jsonOf<Array<{ runId: string; status: string }>>(await runCli(['runs', '--json', '--db', h.dbPath]));
    expect(listed[0]).toMatchObject({ status: 'interrupted' });
  });
});

async function lastRunId(): Promise<string> {
  const listed = jsonOf<Array<{ runId: string }>>(await runCli(['runs', '--json', '--db', h.dbPath]));
  return listed[0]?.runId ?? '';
}

describe('Ctrl+C during a run', () => {
  it('stops the run cleanly, keeps what happened and exits 130', async () => {
    let hung: () => void = () => undefined;
    const hanging = new Promise<void>((resolve) => (hung = resolve));
    h.fake.setHandler((req) => {
      if (turn(req) === 0) return { text: repl('print(context.length)') };
      hung();
      return { hang: true };
    });
    const { child, result } = startCli(h.runArgs('q', [input]));
    await hanging;
    child.kill('SIGINT');
    const done = await result;
    expect(done.code).toBe(130);
    // The call in flight was taken on by the provider, which bills its prompt: it counts (DESIGN §4).
    expect(jsonOf(done)).toMatchObject({ status: 'stopped', stopReason: 'user', answer: null, modelCalls: 2 });
    expect(jsonOf(done).inputTokens).toBeGreaterThanOrEqual(h.fake.ledger.slice(-2).reduce((sum, b) => sum + b.promptTokens, 0));
    const shown = await h.show(jsonOf(done).runId as string);
    expect(shown.nodes.map((n) => `${n.kind}:${n.status}`)).toEqual(['rlm:stopped', 'llm:completed', 'cell:completed', 'llm:stopped']);
  });
});

describe('the built command', () => {
  it('finds its sandbox outside the source tree (as installed)', async () => {
    const { cpSync, mkdirSync, symlinkSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { CLI_PATH } = await import('../testing/cli');
    const installed = join(h.dir, 'installed');
    mkdirSync(join(installed, 'out'), { recursive: true });
    cpSync(join(CLI_PATH, '..'), join(installed, 'out', 'main'), { recursive: true });
    symlinkSync(join(CLI_PATH, '..', '..', '..', 'node_modules'), join(installed, 'node_modules'));
    h.fake.setHandler(() => ({ text: repl('FINAL(String(context.length))') }));
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [join(installed, 'out', 'main', 'cli.js'), ...h.runArgs('q', [input])], { cwd: h.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'completed', answer: '6' });
  });
});
