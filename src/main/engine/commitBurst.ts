// The writes of many model calls that start or end in the same turn of the event loop, committed
// together. A batch of sub-calls starts and ends its calls in bursts (32 replies arrive within a
// millisecond); a commit each cost 0.1–0.2 ms of CPU per sub-call on top of the statements
// (bench/batched.ts). DESIGN §5's promise is kept this way: a queued write is announced (its
// events emitted) only after its commit, and the caller does not move on — send the request, hand
// the answer back — before `committed()` resolves. A kill before the commit loses only writes that
// nothing was told of.

/** A write to run inside the burst's transaction; returns what to announce once it is committed. */
export type BurstWrite = () => () => void;

export class CommitBurst {
  private queue: BurstWrite[] = [];
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private scheduled: NodeJS.Immediate | null = null;

  constructor(
    /** Runs `writes` in one transaction: all of them are stored, or none (it throws). */
    private readonly inOneCommit: (writes: () => void) => void,
    /** Told of a failed commit: the recorder stops the run (DESIGN §5). */
    private readonly onFailure: (error: unknown) => void,
    /** After a burst's announcements: what is told once per burst. */
    private readonly announced: () => void = () => undefined,
  ) {}

  add(write: BurstWrite): void {
    this.queue.push(write);
    // After the poll phase: the replies that arrived in this turn of the loop join the burst.
    this.scheduled ??= setImmediate(() => {
      this.scheduled = null;
      try {
        this.flush();
      } catch {
        // onFailure has been told, and the waiters rejected; nothing here may throw uncaught
      }
    });
  }

  /** Resolves once every write queued so far is committed; rejects when their commit failed. */
  committed(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Commits what is queued now (a write outside the burst calls this first, to keep the order). */
  flush(): void {
    if (this.queue.length === 0) return;
    const queue = this.queue;
    const waiters = this.waiters;
    this.queue = [];
    this.waiters = [];
    const announcements: (() => void)[] = [];
    try {
      this.inOneCommit(() => {
        for (const write of queue) announcements.push(write());
      });
    } catch (error) {
      this.onFailure(error);
      for (const waiter of waiters) waiter.reject(error);
      throw error;
    }
    try {
      for (const announce of announcements) announce();
      this.announced();
    } finally {
      // Committed: the calls go on even when telling of them threw (a bug there must not hang them).
      for (const waiter of waiters) waiter.resolve();
    }
  }

  /** Drops a pending flush timer (the run is over; nothing may be queued any more). */
  dispose(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
  }
}
