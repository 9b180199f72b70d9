// ============================================================================================
// A sandbox never outlives its parent by more than a few seconds, even when its own event loop
// is blocked (DESIGN.md §2; issue 9 "Orphaned sandbox").
//
// The harness exits on 'disconnect', but only when its event loop turns: model code that spins
// outside any cell (Node's rejection tracking reading a proxied promise, escapeCorpus.ts) never
// lets it turn, and the parent's Watchdog — the one thing that would kill it — dies with the
// parent. A SIGKILLed command line then leaves the sandbox spinning at 100% CPU under init.
//
// So each sandbox gets a tiny guard process, started by the PARENT, outside the sandbox:
// `/bin/sh` blocked in `read` on a pipe whose only writer is the parent. When the parent dies,
// however it dies (SIGKILL included), the kernel closes that pipe, `read` returns, and the
// guard SIGKILLs the sandbox. The parent kills the guard as soon as it sees the sandbox exit.
// Pid reuse: when the parent exits without having seen that (process.exit right after a
// kill), the guard fires at a pid just freed; the kernel hands pids out in increasing order, so
// that pid is not another process's in that instant, and `kill` finds nothing.
//
// Why not the alternatives:
// - prctl(PR_SET_PDEATHSIG) needs a native addon (Linux only, and addons are refused in the
//   sandbox).
// - A worker_thread in the sandbox polling the parent needs `--allow-worker`, which the
//   permission model withholds from the sandbox on purpose (DESIGN.md §2: no workers); the guard
//   keeps the sandbox's permissions as they are, and cannot be switched off from inside it.
// - A CPU-time limit (`ulimit -t`) bounds the spin but not "a few seconds after the parent",
//   and has to be guessed from limits a long legitimate run may need.
// `/bin/sh`, `read`, `trap` and `kill` are POSIX: Linux and macOS alike, for both launchers
// (forkLauncher.ts, electron/utilityLauncher.ts).
//
// Windows has no /bin/sh. There one guard serves all of a parent's sandboxes: this same Node (or
// Electron run as Node), started with a script that keeps the pids the parent tells it on a pipe
// and kills them all when the pipe ends — Windows closes a dead process's handles as the kernel
// does elsewhere, so the read ends however the parent dies. One process per parent rather than
// one per sandbox, since a Node process costs tens of MB where `sh` costs one. Its contract
// (kill on end of input, only the pids still watched) is tested on every platform; that Windows
// ends the pipe when the parent is killed is the operating system's, not tested here.
// ============================================================================================
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * `$1` is the sandbox's pid. Hang-ups and interrupts sent to the whole process group (a closed
 * terminal, Ctrl-C) are ignored so that the guard outlives them; it ends only when the pipe
 * closes (then it kills) or when the parent kills it.
 */
const GUARD_SCRIPT = 'trap "" HUP INT TERM; read line; kill -9 "$1" 2>/dev/null';

export interface OrphanGuard {
  /** Ends the guard without killing anything: call it once the sandbox has exited. */
  dispose(): void;
}

const NO_GUARD: OrphanGuard = { dispose: () => undefined };

export function guardAgainstOrphaning(pid: number | undefined, platform: NodeJS.Platform = process.platform): OrphanGuard {
  if (pid === undefined) return NO_GUARD;
  if (platform === 'win32') {
    shared = shared?.alive ? shared : PidGuard.start();
    return shared.watch(pid);
  }
  return shellGuard(pid);
}

function shellGuard(pid: number): OrphanGuard {
  const guard = spawn('/bin/sh', ['-c', GUARD_SCRIPT, 'rlmscope-sandbox-guard', String(pid)], {
    // Nothing of the parent's environment: the guard needs none of it (kill and read are builtins).
    env: {},
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // No /bin/sh, or a pipe that breaks because the guard died: the sandbox runs unguarded, as before.
  guard.on('error', () => undefined);
  guard.stdin?.on('error', () => undefined);
  // The guard must not keep the parent alive: it exists for when the parent is gone.
  guard.unref();
  (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    dispose() {
      if (guard.exitCode === null && guard.signalCode === null) guard.kill('SIGKILL');
    },
  };
}

let shared: PidGuard | null = null;

/** In the guard's command line, so that it can be told apart in a process list. */
export const PID_GUARD_MARK = 'rlmscope-sandbox-guard';

/**
 * The Windows guard's script: `+pid` / `-pid` lines add and remove a watched pid; at the end of
 * its input it kills those left. Console signals (Ctrl-C, Ctrl-Break, a closed console) that reach
 * every process of the console are ignored: it ends only with its input.
 */
const PID_GUARD_SCRIPT = `// ${PID_GUARD_MARK}
const pids = new Set();
let pending = '';
for (const signal of ['SIGINT', 'SIGBREAK', 'SIGHUP', 'SIGTERM']) process.on(signal, () => {});
const end = () => {
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch {} }
  process.exit(0);
};
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let newline;
  while ((newline = pending.indexOf('\\n')) >= 0) {
    const match = /^([+-])(\\d+)$/.exec(pending.slice(0, newline).trim());
    pending = pending.slice(newline + 1);
    if (match) match[1] === '+' ? pids.add(Number(match[2])) : pids.delete(Number(match[2]));
  }
});
process.stdin.on('end', end);
process.stdin.on('error', end);
process.stdin.resume();
`;

/** One guard process watching many pids (exported for its test: it runs on every platform). */
export class PidGuard {
  private constructor(private readonly child: ChildProcess) {}

  static start(): PidGuard {
    const child = spawn(process.execPath, ['-e', PID_GUARD_SCRIPT], {
      env: guardEnvironment(),
      stdio: ['pipe', 'ignore', 'ignore'],
      windowsHide: true,
    });
    child.on('error', () => undefined);
    child.stdin?.on('error', () => undefined);
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return new PidGuard(child);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.stdin?.writable === true;
  }

  watch(pid: number): OrphanGuard {
    this.send(`+${pid}`);
    return { dispose: () => this.send(`-${pid}`) };
  }

  /** What the parent's death does: the input ends, and the guard kills what it still watches. */
  endInput(): void {
    this.child.stdin?.end();
  }

  /** Resolves when the guard process has exited. */
  exited(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  private send(line: string): void {
    if (this.alive) this.child.stdin?.write(`${line}\n`);
  }
}

/**
 * Nothing of the parent's environment but what starting Node needs on Windows; inside Electron,
 * the flag that makes its binary run as plain Node (the RunAsNode fuse must stay on for this).
 */
function guardEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['SystemRoot', 'SYSTEMROOT', 'windir']) if (process.env[name]) env[name] = process.env[name];
  if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
  return env;
}
