// Starts the sandbox with Node's child_process.fork: the CLI, the tests and browser mode.
//
// SECURITY: the child gets an explicit minimal environment (no API key, nothing of the
// parent's), Node's permission model (no file system beyond its own code and the user's input
// files, no child processes, no workers, no addons) and no code generation from strings even in
// its own realm, so a leaked host Function cannot compile anything.
import { fork } from 'node:child_process';
import { dirname } from 'node:path';
import type { ParentMessage } from '../../../shared/sandboxProtocol';
import type { LaunchOptions, SandboxExit, SandboxLauncher, SandboxProcess } from './launcher';
import { sandboxEnvironment } from './environment';
import { harnessPath } from './harnessPath';
import { guardAgainstOrphaning } from './orphanGuard';
import { residentBytes } from './processMemory';

const STDERR_TAIL = 8 * 1024;

export function permissionFlag(version = process.versions.node): string {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  // Renamed from --experimental-permission in Node 22.13 and 23.5 (nodejs/node#56239).
  const renamed = major > 23 || (major === 23 && minor >= 5) || (major === 22 && minor >= 13);
  return renamed ? '--permission' : '--experimental-permission';
}

export function createForkLauncher(script = harnessPath()): SandboxLauncher {
  return {
    launch(options: LaunchOptions): SandboxProcess {
      const execArgv = [
        permissionFlag(),
        `--allow-fs-read=${dirname(script)}`,
        ...options.readablePaths.map((path) => `--allow-fs-read=${path}`),
        `--max-old-space-size=${options.memoryMb}`,
        '--disallow-code-generation-from-strings',
        '--no-warnings',
      ];
      const child = fork(script, [], {
        execArgv,
        // TZ is the one variable a replay adds: a time zone name, nothing of the parent's.
        env: { ...sandboxEnvironment(), ...(options.timeZone ? { TZ: options.timeZone } : {}) },
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      // Kills the sandbox if this process dies first, however it dies (orphanGuard.ts).
      const guard = guardAgainstOrphaning(child.pid);
      child.once('exit', () => guard.dispose());
      let stderr = '';
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-STDERR_TAIL);
      });
      // An IPC write to a process that just died is not an error worth crashing for.
      child.on('error', () => undefined);
      return {
        pid: child.pid,
        send(message: ParentMessage) {
          if (child.connected) child.send(message);
        },
        onMessage(listener) {
          child.on('message', listener);
        },
        onExit(listener: (exit: SandboxExit) => void) {
          child.once('exit', (code, signal) => listener({ code, signal, detail: stderr.trim() }));
        },
        kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        },
        memoryBytes() {
          return child.pid === undefined ? Promise.resolve(null) : residentBytes(child.pid);
        },
      };
    },
  };
}
