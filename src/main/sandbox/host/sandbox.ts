// The parent's side of one sandbox: starts the process, runs cells (their host calls are served by
// cellHostCalls.ts), and keeps it alive. What the vm timeout cannot stop (host-scheduled work, memory bombs,
// a wedged process) is killed from here — by a wall-clock deadline and a watch on resident
// memory — and the sandbox is restarted with its variables restored by re-running the recorded
// cells with their recorded sub-call results (no new model calls).
import type { ClockRecord } from '../../../shared/clockRecord';
import type { ContextInfo } from '../../../shared/domain/node';
import {
  type CellCallTrace,
  type CellDoneMessage,
  type ChildMessage,
  type ContextSource,
  type ParentMessage,
  type RandomPosition,
  type SandboxEnvironment,
} from '../../../shared/sandboxProtocol';
import { childMessageSchema } from '../../../shared/sandboxProtocolSchemas';
import { CellHostCalls, type CallResults, type CallSource, type ServeCall } from './cellHostCalls';
import { failure, restartInfo, toResult, type CellCalls, type CellReplay, type CellResult, type Restart, type RestartInfo } from './cellResult';
import { transformCell } from './cellTransform';
import type { SandboxExit, SandboxLauncher, SandboxProcess } from './launcher';
import { RestoreBudget } from './restoreBudget';
import { Watchdog } from './watchdog';

/** How often a replayed cell that is quiet, with nothing left to give it, is asked again. */
const IDLE_PING_MS = 20;

export interface SandboxOptions {
  launcher: SandboxLauncher;
  context: ContextSource;
  /** Input files the process reads itself. */
  readablePaths: string[];
  seed: number;
  memoryMb: number;
  cellTimeoutMs: number;
  outputChars: number;
  previewChars?: number;
  initTimeoutMs?: number;
  /** How much re-running of earlier cells a restart may do (default: restoreBudget.ts). */
  restore?: { perRestartMs: number; perSandboxMs: number };
  /** The time zone to run in (a replay's: the recorded one); absent, the machine's. */
  timeZone?: string;
  /** Stops a start in progress (a large input can take seconds to load) and disposes after. */
  signal?: AbortSignal;
  /**
   * Serves a sub-call: resolves to the text the code receives; a rejection becomes an error there.
   * `link` is the server's to fill with the nodes that hold the call's details (the recording).
   */
  onCall: ServeCall;
}


type Replayed = { restored: number; cut: RestartInfo['cut']; killedAt: number | null };

interface RecordedCell {
  cellId: number;
  script: string;
  results: CallResults;
  clock: ClockRecord;
  random: RandomPosition;
  workMs: number;
}

interface ActiveCell {
  cellId: number;
  calls: CellHostCalls;
  resolve: (done: CellDoneMessage | { killed: string }) => void;
}


export class Sandbox {
  private child: SandboxProcess | null = null;
  private active: ActiveCell | null = null;
  private readonly records: RecordedCell[] = [];
  private nextCellId = 1;
  /** Process starts so far: each start draws Math.random values from its own epoch. */
  private starts = 0;
  private watchdog: Watchdog | null = null;
  private killReason: string | null = null;
  private disposed = false;
  private broken: string | null = null;
  private info: ContextInfo | null = null;
  private sandboxEnvironment: SandboxEnvironment | null = null;
  private readonly restoreBudget: RestoreBudget;

  private constructor(private readonly options: SandboxOptions) {
    this.restoreBudget = new RestoreBudget(options.restore?.perRestartMs, options.restore?.perSandboxMs);
  }

  static async start(options: SandboxOptions): Promise<Sandbox> {
    const sandbox = new Sandbox(options);
    const { signal } = options;
    if (signal?.aborted) throw abortReason(signal, 'the run was stopped');
    const dispose = () => sandbox.dispose(abortReason(signal as AbortSignal, 'the run was stopped').message);
    signal?.addEventListener('abort', dispose, { once: true });
    try {
      await sandbox.spawn();
    } catch (error) {
      sandbox.dispose();
      throw error;
    } finally {
      signal?.removeEventListener('abort', dispose);
    }
    return sandbox;
  }

  get contextInfo(): ContextInfo {
    if (!this.info) throw new Error('the sandbox has not started');
    return this.info;
  }

  /** The time zone and locale its process runs in (the first start's). */
  get environment(): SandboxEnvironment {
    if (!this.sandboxEnvironment) throw new Error('the sandbox has not started');
    return this.sandboxEnvironment;
  }

  /** Runs one cell of model code. Never rejects: every failure is in the result. */
  async runCell(code: string, recorded?: CellReplay): Promise<CellResult> {
    if (this.disposed) return failure('the sandbox was stopped');
    const cellId = this.nextCellId++;
    const transformed = transformCell(code, cellId);
    if (!transformed.ok) return { ...failure(transformed.error), errorFromCode: true };
    let restartedBefore: CellResult['restart'] = null;
    if (this.broken !== null || !this.child) {
      const reason = this.broken ?? 'the sandbox process is gone';
      const restored = await this.restart();
      if (!restored.ok) return failure(`the sandbox could not be restarted (${reason}): ${restored.error}`);
      restartedBefore = restartInfo(reason, 'before', restored);
    }
    const { outcome, results, made } = await this.execute({ cellId, script: transformed.script, replay: null, recorded });
    const calls = (trace: CellCallTrace | null): CellCalls => ({ ...made, trace });
    if ('killed' in outcome) {
      const reason = outcome.killed;
      const restored = await this.restart();
      return {
        ...failure(`the sandbox process was killed: ${reason}`),
        restart: restartInfo(reason, 'during', restored),
        calls: calls(null),
      };
    }
    // A cell that ran out of time stopped at an arbitrary point: replaying it would not restore
    // the same state, so it is not kept for restoring.
    if (!outcome.timedOut) this.records.push({ cellId, script: transformed.script, results, clock: outcome.clock, random: outcome.random, workMs: outcome.workMs });
    return { ...toResult(outcome), restart: restartedBefore, calls: calls(outcome.calls) };
  }

  /** Kills the process at once; a running cell ends with an error. */
  dispose(reason = 'the sandbox was stopped'): void {
    if (this.disposed) return;
    this.disposed = true;
    this.watchdog?.dispose();
    this.child?.kill();
    this.child = null;
    this.failStart?.(new Error(reason));
    const active = this.active;
    this.active = null;
    if (active) {
      active.calls.end(reason);
      active.resolve({ killed: reason });
    }
  }

  // ---- process lifecycle -----------------------------------------------------------------------

  private async spawn(): Promise<void> {
    const child = this.options.launcher.launch({
      memoryMb: this.options.memoryMb,
      readablePaths: this.options.readablePaths,
      ...(this.options.timeZone ? { timeZone: this.options.timeZone } : {}),
    });
    this.child = child;
    this.killReason = null;
    this.watchdog?.dispose();
    // Memory is watched from the start: loading a huge input can already exceed the limit.
    const watchdog = new Watchdog(child, this.options, (reason) => this.kill(child, reason));
    this.watchdog = watchdog;
    const ready = new Promise<ContextInfo>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error('the sandbox did not start in time'));
      }, this.options.initTimeoutMs ?? 120_000);
      this.onReady = (message) => {
        clearTimeout(timer);
        if (message.type === 'ready') {
          this.sandboxEnvironment ??= message.environment;
          resolve(message.context);
        } else reject(new Error(message.error));
      };
      this.onEarlyExit = (exit) => {
        clearTimeout(timer);
        reject(new Error(describeExit(exit, this.killReason)));
      };
      this.failStart = (error) => {
        clearTimeout(timer);
        reject(error);
      };
    });
    child.onMessage((raw) => this.receive(child, raw));
    child.onExit((exit) => this.exited(child, exit));
    child.send({
      type: 'init',
      seed: this.options.seed,
      epoch: this.starts++,
      context: this.options.context,
      previewChars: this.options.previewChars ?? 500,
    });
    try {
      this.info = await ready;
      // Loading a large input keeps the process busy for seconds: the deadline starts now.
      watchdog.arm();
    } finally {
      this.onReady = null;
      this.onEarlyExit = null;
      this.failStart = null;
    }
  }

  private onReady: ((message: Extract<ChildMessage, { type: 'ready' | 'initFailed' }>) => void) | null = null;
  private onEarlyExit: ((exit: SandboxExit) => void) | null = null;
  private failStart: ((error: Error) => void) | null = null;

  /**
   * A fresh process, with the recorded cells re-run in order to restore variables — as many as
   * the restore budget allows (re-runs answer sub-calls from the record: no new model calls).
   */
  private async restart(): Promise<Restart> {
    const started = performance.now();
    // Cells left out because re-running them killed the sandbox: they would on every restart.
    let dropped = 0;
    const done = (result: Omit<Restart, 'ms' | 'budgetMs'>): Restart => ({
      ...result,
      ms: Math.round(performance.now() - started),
      budgetMs: result.cut === 'sandbox' ? this.restoreBudget.perSandboxMs : this.restoreBudget.perRestartMs,
    });
    for (;;) {
      this.watchdog?.dispose();
      this.child?.kill();
      this.child = null;
      if (this.disposed) return done({ ok: false, error: 'stopped', restoredCells: 0, lostCells: this.records.length + dropped, cut: null });
      try {
        await this.spawn();
      } catch (error) {
        this.broken = (error as Error).message;
        return done({ ok: false, error: this.broken, restoredCells: 0, lostCells: this.records.length + dropped, cut: null });
      }
      this.broken = null;
      const replayed = await this.replay();
      if (replayed.killedAt !== null) {
        this.records.splice(replayed.killedAt, 1);
        dropped++;
        continue;
      }
      return done({ ok: true, restoredCells: replayed.restored, lostCells: this.records.length - replayed.restored + dropped, cut: replayed.cut });
    }
  }

  /** Re-runs the recorded cells the budget allows; stops at one that kills the process or runs over. */
  private async replay(): Promise<Replayed> {
    const plan = this.restoreBudget.plan(this.records.map((record) => record.workMs));
    const started = performance.now();
    let restored = 0;
    try {
      for (const [index, record] of this.records.slice(0, plan.cells).entries()) {
        const leftMs = plan.limitMs - (performance.now() - started);
        const timeoutMs = Math.max(1, Math.min(this.options.cellTimeoutMs, Math.floor(leftMs)));
        const { outcome } = await this.execute({ cellId: record.cellId, script: record.script, replay: record, timeoutMs });
        if ('killed' in outcome) return { restored, cut: null, killedAt: index };
        // Slower than recorded, and out of time: what it set is half done, and the rest is not re-run.
        if (outcome.timedOut) return { restored, cut: plan.bound, killedAt: null };
        restored++;
      }
    } finally {
      this.restoreBudget.spend(performance.now() - started);
    }
    return { restored, cut: plan.cells < this.records.length ? plan.bound : null, killedAt: null };
  }

  private async execute(cell: {
    cellId: number;
    script: string;
    replay: RecordedCell | null;
    recorded?: CellReplay;
    timeoutMs?: number;
  }): Promise<{ outcome: CellDoneMessage | { killed: string }; results: CallResults; made: Omit<CellCalls, 'trace'> }> {
    const source: CallSource = cell.recorded?.calls
      ? { kind: 'recording', server: cell.recorded.calls }
      : cell.replay
        ? { kind: 'restore', results: cell.replay.results }
        : { kind: 'live', serve: this.options.onCall };
    const child = this.child;
    const active: ActiveCell = { cellId: cell.cellId, calls: new CellHostCalls(source, (callId, ok, value) => this.sendResult(child, active, callId, ok, value)), resolve: () => undefined };
    if (!child) return { outcome: { killed: 'the sandbox process is gone' }, results: active.calls.results, made: active.calls.made() };
    const outcome = await new Promise<CellDoneMessage | { killed: string }>((resolve) => {
      active.resolve = resolve;
      this.active = active;
      const message: ParentMessage = {
        type: 'cell',
        cellId: cell.cellId,
        script: cell.script,
        timeoutMs: cell.timeoutMs ?? this.options.cellTimeoutMs,
        // Replays only restore variables: their output is not shown again.
        outputChars: cell.replay ? 0 : this.options.outputChars,
        ...(cell.replay ? { clock: cell.replay.clock, random: cell.replay.random } : {}),
        ...(cell.recorded ? { clock: cell.recorded.clock, ...(cell.recorded.random ? { random: cell.recorded.random } : {}) } : {}),
      };
      child.send(message);
      if (active.calls.recording) this.pingQuiet(child, active);
    });
    return { outcome, results: active.calls.results, made: active.calls.made() };
  }

  private finishActive(outcome: CellDoneMessage | { killed: string }): void {
    const active = this.active;
    if (!active) return;
    this.active = null;
    active.calls.end('the cell that made this call ended');
    active.resolve(outcome);
  }

  private receive(child: SandboxProcess, raw: unknown): void {
    if (child !== this.child) return;
    this.watchdog?.heard();
    const parsed = childMessageSchema.safeParse(raw);
    if (!parsed.success) {
      // The child runs untrusted code: a malformed message means it is not our harness any more.
      this.kill(child, 'it sent a malformed message');
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
      case 'initFailed':
        this.onReady?.(message);
        break;
      case 'call':
        this.serveCall(message);
        break;
      case 'cellDone':
        if (this.active?.cellId === message.cellId) this.finishActive(message);
        break;
      case 'pong':
        if (message.id < 0 && this.active?.calls.recording && -message.id === this.quietPing) this.quietAnswered(child, this.active);
        break;
    }
  }

  private serveCall(message: Extract<ChildMessage, { type: 'call' }>): void {
    const active = this.active;
    if (active?.cellId === message.cellId) active.calls.serve(message);
  }

  private sendResult(child: SandboxProcess | null, active: ActiveCell, callId: number, ok: boolean, value: string): void {
    if (this.active !== active || child !== this.child || !child) return;
    child.send({ type: 'callResult', cellId: active.cellId, callId, ok, value });
  }

  /** The id of the ping a replayed cell waits on (sent negative: the watchdog's are positive). */
  private quietPing = 0;

  /**
   * A replayed cell's results are handed over only when the code is quiet: the child answers a
   * ping between slices of model code, so its pong follows every call the code made before
   * (messages keep their order). One group per round: a group sent after a pong reaches the
   * child in a later turn of its event loop than the one before, so the two never merge.
   */
  private pingQuiet(child: SandboxProcess, active: ActiveCell): void {
    if (this.active !== active || child !== this.child) return;
    child.send({ type: 'ping', id: -++this.quietPing });
  }

  private quietAnswered(child: SandboxProcess, active: ActiveCell): void {
    active.calls.quiet();
    // Code that stays quiet with nothing left to give it is ending, or waits on itself: no need
    // to keep the IPC channel busy with back-to-back pings meanwhile.
    if (active.calls.recording?.idle) setTimeout(() => this.pingQuiet(child, active), IDLE_PING_MS).unref();
    else this.pingQuiet(child, active);
  }

  private exited(child: SandboxProcess, exit: SandboxExit): void {
    if (child !== this.child) return;
    const reason = describeExit(exit, this.killReason);
    this.child = null;
    this.watchdog?.dispose();
    if (this.onEarlyExit) {
      this.onEarlyExit(exit);
      return;
    }
    if (this.active) this.finishActive({ killed: reason });
    else this.broken = reason;
  }

  private kill(child: SandboxProcess, reason: string): void {
    if (child !== this.child) return;
    this.killReason ??= reason;
    child.kill();
  }

}

function abortReason(signal: AbortSignal, fallback: string): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(fallback);
}

function describeExit(exit: SandboxExit, killReason: string | null): string {
  if (killReason) return killReason;
  if (/heap limit|out of memory/i.test(exit.detail)) return 'it ran out of memory (JavaScript heap)';
  if (exit.signal) return `it stopped on signal ${exit.signal}`;
  return `it exited with code ${exit.code ?? 'unknown'}`;
}
