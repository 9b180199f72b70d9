// Watches one sandbox process from outside, for what the vm timeout cannot stop: a process that
// stops answering while a cell runs (host-scheduled work, a wedged isolate), and memory the V8
// heap cap does not count (ArrayBuffers, research/sandbox.md §4). Either gets the process killed.
import type { SandboxProcess } from './launcher';

const PING_EVERY_MS = 500;
/** How long past its own budget a cell may stay silent before its process is killed. */
const DEADLINE_GRACE_MS = 3000;
const MEMORY_POLL_MS = 200;
const MB = 1024 * 1024;

export interface WatchdogLimits {
  cellTimeoutMs: number;
  memoryMb: number;
}

export class Watchdog {
  private lastHeard = Date.now();
  private pingId = 0;
  private deadline: NodeJS.Timeout | null = null;
  private readonly memory: NodeJS.Timeout;

  constructor(
    private readonly child: SandboxProcess,
    private readonly limits: WatchdogLimits,
    private readonly kill: (reason: string) => void,
  ) {
    this.memory = setInterval(() => void this.checkMemory(), MEMORY_POLL_MS);
    this.memory.unref();
  }

  /** Any message from the process. */
  heard(): void {
    this.lastHeard = Date.now();
  }

  /**
   * While a cell runs, the process is pinged. A healthy sandbox answers between two slices of
   * work, each shorter than the cell's budget; silence well past the budget means it is wedged.
   */
  cellStarted(): void {
    this.cellEnded();
    this.heard();
    const limit = this.limits.cellTimeoutMs + DEADLINE_GRACE_MS;
    this.deadline = setInterval(() => {
      const silent = Date.now() - this.lastHeard;
      if (silent > limit) {
        this.kill(`it did not respond for ${Math.round(silent / 1000)} s (the cell limit is ${this.limits.cellTimeoutMs} ms of work)`);
        return;
      }
      this.child.send({ type: 'ping', id: ++this.pingId });
    }, PING_EVERY_MS);
    this.deadline.unref();
  }

  cellEnded(): void {
    if (this.deadline) clearInterval(this.deadline);
    this.deadline = null;
  }

  dispose(): void {
    this.cellEnded();
    clearInterval(this.memory);
  }

  private async checkMemory(): Promise<void> {
    const bytes = await this.child.memoryBytes();
    if (bytes !== null && bytes > this.limits.memoryMb * MB) {
      this.kill(`it used ${Math.round(bytes / MB)} MB of memory, over the limit of ${this.limits.memoryMb} MB`);
    }
  }
}
