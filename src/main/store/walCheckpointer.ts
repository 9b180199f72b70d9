// WAL checkpoints off the engine's path (issue 13). A checkpoint copies the WAL into the database
// and syncs it: with SQLite's automatic checkpoint it runs inside whichever commit crosses the
// threshold, and one step commit in a few thousand took 40–200 ms (bench/commits.ts). Here the
// writer's automatic checkpoint is only a backstop far away, and a worker thread with its own
// connection runs a PASSIVE checkpoint (which never takes the write lock and never waits) in the
// gaps between the engine's bursts of commits: once the WAL has not changed for IDLE_MS.
//
// Why in the gaps and not on a timer: measured on this machine (bench/commits.ts), a checkpoint
// on another thread still stalls the commits made while it syncs, about as long as one made
// inside a commit (its fsync and the writer's appends to the same WAL wait on the same disk):
// a PASSIVE checkpoint every 250 ms during a burst gave p99 4.4 ms and 103 commits over 5 ms,
// against p99 0.27 ms and 6 with none during the burst. A run's commits come in bursts (a step,
// then seconds waiting on models), so its gaps are where a checkpoint costs nobody.
//
// Crash safety is unchanged: a commit is durable once it is in the WAL (synchronous NORMAL, see
// database.ts), whoever checkpoints it later; a process killed mid-checkpoint leaves a WAL that
// the next open replays (SQLite's own guarantee). The WAL stays bounded: checkpoints keep up with
// a busy run (a few MB a second), journal_size_limit truncates the file when it restarts, and if
// the worker cannot run (it died; a reader pins the WAL; commits never pause) the writer's own
// checkpoint at BACKSTOP_PAGES still bounds it.
import { Worker } from 'node:worker_threads';

/** How often the worker looks at the WAL (one stat of its file). */
export const CHECKPOINT_POLL_MS = 50;
/** The WAL unchanged this long: the engine is between bursts, and a checkpoint now stalls nobody. */
export const IDLE_MS = 150;
/**
 * The writer's automatic checkpoint, kept as the backstop of a burst that never pauses: SQLite's
 * as before (database.ts), about 40 MB of WAL. Nothing but the writer can bound the WAL during a
 * burst: a checkpoint from another connection never catches up with a writer that keeps
 * appending, and the WAL restarts only once one has (measured: with the backstop at 25,000
 * pages the WAL reached it in a continuous burst whatever the worker did, and that one
 * checkpoint took 400–600 ms). Between bursts the worker has emptied the WAL, so a run whose
 * commits pause (every run: it waits on models) never reaches it.
 */
export const BACKSTOP_PAGES = 10_000;
/** The WAL file is truncated to this when it restarts, so a burst does not leave a large file. */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;
/** How long closing waits for the worker to close its connection. */
const STOP_WAIT_MS = 2000;

interface CheckpointWorkerData {
  file: string;
  modulePath: string;
  nativeBinding: string | undefined;
  pollMs: number;
  idleMs: number;
  /** [0]: 1 once the worker closed its connection. */
  stopped: SharedArrayBuffer;
}

/**
 * The worker's body. It runs as `new Worker(source, { eval: true })` (as searchWorker.ts does):
 * no entry of its own in the build, the same from the sources and from out/. Hence no imports and
 * no closures: it requires what it uses, better-sqlite3 by the path the parent resolved.
 */
function checkpointWorkerMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports -- an eval worker is CommonJS */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { statSync } = require('node:fs') as typeof import('node:fs');
  const data = workerData as CheckpointWorkerData;
  const flag = new Int32Array(data.stopped);
  let db: import('better-sqlite3').Database | null = null;
  try {
    const Database = require(data.modulePath) as typeof import('better-sqlite3');
    db = new Database(data.file, { fileMustExist: true, ...(data.nativeBinding ? { nativeBinding: data.nativeBinding } : {}) });
    // Never wait on the writer: a checkpoint that cannot run now runs at the next tick.
    db.pragma('busy_timeout = 0');
  } catch {
    db = null;
  }
  const wal = `${data.file}-wal`;
  /** The WAL's modification time when it was last checkpointed: nothing new since, nothing to do. */
  let checkpointed = 0;
  const timer = setInterval(() => {
    let changed: number;
    try {
      changed = statSync(wal).mtimeMs;
    } catch {
      return; // no WAL (the file left WAL mode, or is gone)
    }
    if (changed <= checkpointed || Date.now() - changed < data.idleMs) return;
    try {
      db?.pragma('wal_checkpoint(PASSIVE)');
      checkpointed = changed;
    } catch {
      // Busy, or the file is gone: the next tick tries again; the writer's backstop bounds the WAL.
    }
  }, data.pollMs);
  parentPort?.on('message', () => {
    clearInterval(timer);
    try {
      db?.close();
    } finally {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      parentPort.close();
    }
  });
}

const WORKER_SOURCE = `(${checkpointWorkerMain.toString()})();`;

export class WalCheckpointer {
  private constructor(
    private readonly worker: Worker,
    private readonly stopped: Int32Array,
  ) {}

  /** Starts checkpointing `file`, a database in WAL mode that the caller writes. */
  static start(file: string, nativeBinding?: string): WalCheckpointer {
    const stopped = new SharedArrayBuffer(4);
    const data: CheckpointWorkerData = { file, modulePath: require.resolve('better-sqlite3'), nativeBinding, pollMs: CHECKPOINT_POLL_MS, idleMs: IDLE_MS, stopped };
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: data });
    // Never what keeps a process alive; a worker that failed leaves the backstop in charge.
    worker.unref();
    const flag = new Int32Array(stopped);
    worker.on('error', () => undefined);
    // A worker that is gone holds no connection: closing must not wait for its answer.
    worker.on('exit', () => Atomics.store(flag, 0, 1));
    return new WalCheckpointer(worker, flag);
  }

  /**
   * Stops the worker and waits (synchronously, at most STOP_WAIT_MS) until its connection is
   * closed: the writer's close then finds itself alone and can leave the file without a WAL.
   */
  stop(): void {
    this.worker.postMessage('stop');
    Atomics.wait(this.stopped, 0, 0, STOP_WAIT_MS);
    void this.worker.terminate();
  }
}
