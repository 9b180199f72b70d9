// Watches one sandbox process from outside, for what the vm timeout cannot stop: a process that
// stops answering (model code run by host-scheduled work — Node's rejection tracking reading a
// proxied promise between cells, for one — or a wedged isolate), and memory the V8 heap cap does
// not count (ArrayBuffers, research/sandbox.md §4). Either gets the process killed.
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
   * From the moment it is ready until it ends, the process is pinged. A healthy sandbox answers
   * at once when idle, and between two slices of work — each shorter than the cell's budget —
   * when busy; silence well past the budget means something runs that no timeout bounds.
   */
  arm(): void {
    this.disarm();
    this.heard();
    const limit = this.limits.cellTimeoutMs + DEADLINE_GRACE_MS;
    let lastTick = Date.now();
    this.deadline = setInterval(() => {
      // The parent's own busy time is not the sandbox's silence (issue 9: two minutes of
      // synchronous work on the parent got the root sandbox killed as "did not respond for
      // 125 s"). A tick that comes late means this process could not read the sandbox's
      // answers meanwhile (timers run before the queued messages are read), so the lateness is
      // forgiven: only silence while the parent was listening counts.
      const now = Date.now();
      const late = now - lastTick - PING_EVERY_MS;
      lastTick = now;
      if (late > PING_EVERY_MS) this.lastHeard = Math.min(now, this.lastHeard + late);
      const silent = now - this.lastHeard;
      if (silent > limit) {
        this.kill(`it did not respond for ${Math.round(silent / 1000)} s (the cell limit is ${this.limits.cellTimeoutMs} ms of work)`);
        return;
      }
      this.child.send({ type: 'ping', id: ++this.pingId });
    }, PING_EVERY_MS);
    this.deadline.unref();
  }

  private disarm(): void {
    if (this.deadline) clearInterval(this.deadline);
    this.deadline = null;
  }

  dispose(): void {
    this.disarm();
    clearInterval(this.memory);
  }

  private async checkMemory(): Promise<void> {
    const bytes = await this.child.memoryBytes();
    if (bytes !== null && bytes > this.limits.memoryMb * MB) {
      this.kill(`it used ${Math.round(bytes / MB)} MB of memory, over the limit of ${this.limits.memoryMb} MB`);
    }
  }
}
