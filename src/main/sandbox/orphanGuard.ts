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
// (forkLauncher.ts, electron/utilityLauncher.ts). Windows has no /bin/sh and no guard is started
// there: a sandbox spinning when its parent dies can still be orphaned on Windows (the desktop
// app then relies on Chromium's own handling of its child processes, not verified here).
// ============================================================================================
import { spawn } from 'node:child_process';

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
  if (pid === undefined || platform === 'win32') return NO_GUARD;
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
