// Starts the sandbox as an Electron utilityProcess: the desktop app's SandboxLauncher (the CLI,
// tests and browser mode use forkLauncher.ts). The harness talks back over process.parentPort
// (src/main/sandbox/child/parentPort.ts). What it is started with is decided in sandboxOptions.ts.
//
// SECURITY: the sandbox holds no secrets. Its environment is explicit, minimal and non-empty — an
// empty `env: {}` would make Electron pass the parent's whole environment, API key included
// (see sandboxEnvironment). Unlike under Node, Node's permission model is not available here
// (the utility process drops the flags), so the boundary is the process and its empty hands.
import { app, utilityProcess } from 'electron';
import type { ParentMessage } from '../../shared/sandboxProtocol';
import type { LaunchOptions, SandboxExit, SandboxLauncher, SandboxProcess } from '../sandbox/host/launcher';
import { guardAgainstOrphaning, type OrphanGuard } from '../sandbox/host/orphanGuard';
import { appendTail, SANDBOX_SERVICE_NAME, sandboxEnvironment, sandboxExecArgv, workingSetBytes } from './sandboxOptions';

/**
 * `script`: the built sandbox harness (out/main/sandbox.js; see builtPaths in desktopConfig.ts).
 * `guard`: what kills the sandbox if the app dies first (tests pass a stand-in: their pids are
 * made up, and a real guard would kill whatever process holds one).
 */
export function createUtilityLauncher(script: string, guard: (pid: number | undefined) => OrphanGuard = guardAgainstOrphaning): SandboxLauncher {
  return {
    launch(options: LaunchOptions): SandboxProcess {
      const child = utilityProcess.fork(script, [], {
        serviceName: SANDBOX_SERVICE_NAME,
        // stdout is not read, so it is not piped: a full pipe nobody drains would block the child.
        stdio: ['ignore', 'ignore', 'pipe'],
        // ============================================================================================
        // SECURITY: `env` MUST be a NON-EMPTY, MINIMAL map. Electron clears the child's environment
        // only when `env` has at least one entry: `env: {}` (or leaving it out) hands the sandbox
        // the parent's WHOLE environment, OPENAI_API_KEY included (research/sandbox.md §3).
        // ============================================================================================
        // TZ is the one variable a replay adds (launcher.ts): a time zone name, nothing of the parent's.
        env: { ...sandboxEnvironment(), ...(options.timeZone ? { TZ: options.timeZone } : {}) },
        // No Node flags: the utility process drops --permission/--allow-fs-read (so
        // options.readablePaths cannot be enforced here) and --max-old-space-size; V8 flags only.
        execArgv: sandboxExecArgv(options.memoryMb),
      });
      let stderr = '';
      let fatal = '';
      let exited = false;
      let killRequested = false;
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        stderr = appendTail(stderr, chunk);
      });
      // V8's fatal errors (out of memory among them) arrive here before 'exit'.
      child.on('error', (type, location) => {
        fatal = `V8 ${type}: ${location}`;
      });
      // kill() does nothing before the process has a pid: finish the job once it has one.
      child.once('spawn', () => {
        // Chromium's child processes are meant to end themselves when the browser process goes,
        // but that is not verified here for a utility process whose main thread spins (issue 9):
        // the same guard as under plain Node makes it independent of that (orphanGuard.ts).
        const orphanGuard = guard(child.pid);
        child.once('exit', () => orphanGuard.dispose());
        if (killRequested) child.kill();
      });
      child.once('exit', () => {
        exited = true;
      });
      return {
        get pid() {
          return child.pid;
        },
        send(message: ParentMessage) {
          // Messages posted before 'spawn' are queued by Electron.
          if (!exited) child.postMessage(message);
        },
        onMessage(listener) {
          child.on('message', listener);
        },
        onExit(listener: (exit: SandboxExit) => void) {
          // Electron gives an exit code only (0 after kill()); the host keeps its own kill reason.
          child.once('exit', (code) => listener({ code, signal: null, detail: [fatal, stderr.trim()].filter(Boolean).join('\n') }));
        },
        kill() {
          // SIGTERM on POSIX, which the harness does not handle, so it ends at once; Electron
          // follows up with SIGKILL if the process is still there (base::EnsureProcessTerminated).
          killRequested = true;
          if (!exited) child.kill();
        },
        async memoryBytes() {
          const pid = child.pid;
          return pid === undefined ? null : workingSetBytes(app.getAppMetrics(), pid);
        },
      };
    },
  };
}
