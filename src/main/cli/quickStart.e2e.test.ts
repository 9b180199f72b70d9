// The README's quick start, run as written: its lines are read from the README, the fake
// provider starts from the built file with the shipped sample rules, and `rlmscope run` answers.
// Only the port changes (a free one, so that tests can run side by side) and the data folder
// (a temp RLMSCOPE_HOME, not the user's ~/.rlmscope).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../sandbox/host/harnessPath';

const ROOT = packageRoot();

/** The lines of the sh block under the README's `<!-- quick-start` marker. */
function quickStartLines(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- quick-start[^>]*-->\s*```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no quick-start block');
  return block.split('\n').filter((line) => line.trim() !== '');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe("the README's quick start", () => {
  it('starts the fake provider with the sample rules and gets an answer with no API key', async () => {
    const lines = quickStartLines();
    expect(lines[0]).toMatch(/^node out\/main\/fake-provider\.js --rules resources\/examples\/sample-rules\.json --port 8765 &$/);
    expect(lines[1]).toMatch(/^node bin\/rlmscope\.js run --base-url http:\/\/127\.0\.0\.1:8765\/v1 /);
    const port = String(await freePort());
    const script = lines.join('\n').replaceAll('8765', port);
    const home = mkdtempSync(join(tmpdir(), 'rlm-quick-start-'));
    let group: number | null = null;
    try {
      // No key and no provider variables: the quick start must not need them.
      // Its own process group: if a line fails, the provider left in the background goes too.
      const child = spawn('sh', ['-e', '-c', script], { cwd: ROOT, detached: true, env: { PATH: process.env.PATH, HOME: home, RLMSCOPE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
      group = child.pid ?? null;
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(code, stderr).toBe(0);
      expect(stdout).toContain(`{"url":"http://127.0.0.1:${port}/v1"}`);
      expect(stdout).toContain('3 error lines. The data disk filled up');
      expect(stderr).toContain(`provider http://127.0.0.1:${port}/v1 (flag); API key: none`);
      expect(stderr).toMatch(/run r-\S+ completed/);
    } finally {
      if (group !== null) {
        try {
          process.kill(-group, 'SIGTERM');
        } catch {
          // the group has exited already: the quick start's own `kill` stopped the provider
        }
      }
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});
