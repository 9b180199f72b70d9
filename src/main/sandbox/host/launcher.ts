// How a sandbox process is started: one interface, two implementations — Node's
// child_process.fork (CLI, tests, browser mode: forkLauncher.ts) and Electron's utilityProcess
// (src/main/electron/utilityLauncher.ts). Nothing else knows which one it runs in.
import type { ParentMessage } from '../../../shared/sandboxProtocol';

export interface SandboxExit {
  code: number | null;
  signal: string | null;
  /** The end of what the process wrote to stderr (for example V8's out-of-memory report). */
  detail: string;
}

export interface SandboxProcess {
  readonly pid: number | undefined;
  send(message: ParentMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (exit: SandboxExit) => void): void;
  /** Kills at once (SIGKILL): a sandbox that must be stopped gets no chance to run more code. */
  kill(): void;
  /** Resident memory in bytes, or null where it cannot be read. */
  memoryBytes(): Promise<number | null>;
}

export interface LaunchOptions {
  /** Heap cap for V8; the host also watches resident memory, which counts ArrayBuffers too. */
  memoryMb: number;
  /** Files and folders the process may read (Node's permission model), besides its own code. */
  readablePaths: string[];
  /**
   * The time zone the process runs in (TZ), for a replay of a run recorded in another one
   * (debugger/replay.ts); absent: the machine's.
   */
  timeZone?: string;
}

export interface SandboxLauncher {
  launch(options: LaunchOptions): SandboxProcess;
}
