// The processes an e2e test runs (the fake provider, `rlmscope serve`), started from the build
// as users start them, and always stopped: a test leaves nothing running behind it.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');
export const CLI = join(ROOT, 'out', 'main', 'cli.js');
export const FAKE_PROVIDER = join(ROOT, 'out', 'main', 'fake-provider.js');

export interface Started {
  child: ChildProcess;
  /** The first line the process printed on stdout. */
  firstLine: string;
  /** Everything it printed on stderr so far (for failure messages). */
  stderr(): string;
}

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;

/** Starts `node script ...args` and waits for its first line of stdout. */
export function startNode(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} printed nothing within ${START_TIMEOUT_MS} ms:\n${stderr}`));
    }, START_TIMEOUT_MS);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const end = stdout.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      resolve({ child, firstLine: stdout.slice(0, end), stderr: () => stderr });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${signal ?? code}) before printing its first line:\n${stderr}`));
    });
  });
}

/** SIGTERM (a graceful stop), then SIGKILL if it does not exit in time. Resolves on exit. */
export function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}
