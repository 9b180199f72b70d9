// What one run shares across its whole tree of RLMs: settings, the stop signal, the pause gate,
// the bound on calls in flight, and the running totals that tree-wide limits are checked against.
import type { RunLimits, RunTotals, StopReason } from '../../shared/domain';
import { emptyTotals } from '../../shared/domain';
import type { CompletionRequest, CompletionResult } from '../model/modelClient';
import type { PriceTable } from '../model/prices';
import type { SandboxLauncher } from '../sandbox/launcher';
import type { DocumentStore } from '../store/documentStore';
import { Semaphore, StepGate } from './concurrency';
import type { Recorder } from './recorder';

export interface RunSettings {
  runId: string;
  query: string;
  rootModel: string;
  subModel: string;
  limits: RunLimits;
  seed: number;
}

export interface ModelCaller {
  complete(request: CompletionRequest): Promise<CompletionResult>;
}

export interface RunDependencies {
  client: ModelCaller;
  prices: PriceTable;
  launcher: SandboxLauncher;
  recorder: Recorder;
  documents: DocumentStore;
}

/** Thrown at the next step of every RLM once the run has been stopped. */
export class RunStopped extends Error {
  constructor(readonly reason: StopReason, message: string) {
    super(message);
    this.name = 'RunStopped';
  }
}

/**
 * Child RLMs running at once, per depth. Each holds a sandbox process, so a cell that starts
 * dozens of `rlm_query` calls in parallel must not start dozens of processes; a slot per depth
 * (not one pool) so that a child waiting on its own children never waits on its parent's slot.
 */
const CHILD_RLMS_PER_DEPTH = 4;

export class RunContext {
  readonly gate = new StepGate();
  readonly calls: Semaphore;
  private readonly childSlots = new Map<number, Semaphore>();
  readonly totals: RunTotals = emptyTotals();
  private readonly controller = new AbortController();
  private stopped: RunStopped | null = null;
  /** Calls started, failed ones included: what the call limit counts. */
  private callsStarted = 0;
  private deadline: NodeJS.Timeout | null = null;
  /** Wall time left before the time limit; paused time does not count. */
  private remainingMs: number | null = null;
  private deadlineStartedAt = 0;

  constructor(
    readonly settings: RunSettings,
    readonly deps: RunDependencies,
  ) {
    this.calls = new Semaphore(settings.limits.concurrency);
  }

  /** The slots of child RLMs at `depth`. */
  children(depth: number): Semaphore {
    let slots = this.childSlots.get(depth);
    if (!slots) {
      slots = new Semaphore(CHILD_RLMS_PER_DEPTH);
      this.childSlots.set(depth, slots);
    }
    return slots;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get limits(): RunLimits {
    return this.settings.limits;
  }

  get stopReason(): RunStopped | null {
    return this.stopped;
  }

  /** Stops the whole tree: in-flight calls are aborted, sandboxes killed. The first reason wins. */
  stop(reason: StopReason, message: string): void {
    if (this.stopped) return;
    this.stopped = new RunStopped(reason, message);
    if (reason !== 'user' && reason !== 'error') this.deps.recorder.limitReached(reason, message);
    this.controller.abort(this.stopped);
  }

  throwIfStopped(): void {
    if (this.stopped) throw this.stopped;
  }

  /** Between two steps: waits while paused, then goes on unless the run was stopped. */
  async checkpoint(): Promise<void> {
    this.throwIfStopped();
    await this.gate.pass(this.signal);
    this.throwIfStopped();
  }

  /** Before a model call: the call limit counts calls started. */
  beforeModelCall(): void {
    this.throwIfStopped();
    const { maxCalls } = this.limits;
    if (maxCalls !== null && this.callsStarted >= maxCalls) {
      this.stop('max-calls', `the run reached its limit of ${maxCalls} model calls`);
      this.throwIfStopped();
    }
    this.callsStarted++;
  }

  /** After a model call: tokens and cost; crossing a limit stops the run before its next step. */
  afterModelCall(usage: { inputTokens: number; outputTokens: number; cachedTokens: number }, costUsd: number | null): void {
    const totals = this.totals;
    totals.modelCalls++;
    totals.inputTokens += usage.inputTokens;
    totals.outputTokens += usage.outputTokens;
    totals.cachedTokens += usage.cachedTokens;
    if (costUsd === null) totals.unpricedCalls++;
    else totals.pricedCostUsd += costUsd;
    totals.costUsd = totals.unpricedCalls > 0 ? null : totals.pricedCostUsd;
    this.deps.recorder.totalsChanged({ ...totals });
    const { maxTokens, maxCostUsd } = this.limits;
    const tokens = totals.inputTokens + totals.outputTokens;
    if (maxTokens !== null && tokens >= maxTokens) {
      this.stop('max-tokens', `the run used ${tokens.toLocaleString('en-US')} tokens, reaching its limit of ${maxTokens.toLocaleString('en-US')}`);
    } else if (maxCostUsd !== null && totals.pricedCostUsd >= maxCostUsd) {
      this.stop('max-cost', `the run cost $${totals.pricedCostUsd.toFixed(4)}, reaching its limit of $${maxCostUsd}`);
    }
  }

  startDeadline(): void {
    const { maxSeconds } = this.limits;
    if (maxSeconds === null) return;
    this.remainingMs ??= maxSeconds * 1000;
    this.deadlineStartedAt = Date.now();
    this.deadline = setTimeout(() => this.stop('max-seconds', `the run reached its time limit of ${maxSeconds} s`), this.remainingMs);
    this.deadline.unref();
  }

  clearDeadline(): void {
    if (!this.deadline) return;
    clearTimeout(this.deadline);
    this.deadline = null;
    if (this.remainingMs !== null) this.remainingMs = Math.max(0, this.remainingMs - (Date.now() - this.deadlineStartedAt));
  }

  pause(): void {
    if (this.gate.isPaused || this.stopped) return;
    this.gate.pause();
    this.clearDeadline();
    this.deps.recorder.statusChanged('paused');
  }

  resume(): void {
    if (!this.gate.isPaused || this.stopped) return;
    this.gate.resume();
    this.startDeadline();
    this.deps.recorder.statusChanged('running');
  }

  countTurn(depth: number): void {
    this.totals.iterations++;
    this.deps.recorder.countTurn(depth);
  }

  reachedDepth(depth: number): void {
    if (depth > this.totals.maxDepthReached) this.totals.maxDepthReached = depth;
    this.deps.recorder.reachedDepth(depth);
  }
}
