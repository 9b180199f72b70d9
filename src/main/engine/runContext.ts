// What one run shares across its whole tree of RLMs: settings, the stop signal, the pause gate,
// the bound on calls in flight, and the running totals that tree-wide limits are checked against.
import type { RunTotals, StopReason } from '../../shared/domain/run';
import type { RunLimits } from '../../shared/limits';
import { emptyTotals } from '../../shared/domain/run';
import { linkAbort } from '../model/abort';
import type { CompletionRequest, CompletionResult } from '../model/modelClient';
import type { PriceTable } from '../model/prices';
import type { SandboxLauncher } from '../sandbox/host/launcher';
import type { DocumentStore } from '../store/documentStore';
import type { RlmCache } from './callCache';
import { Budget, type Price, type Reservation, type Spend } from './budget';
import { Semaphore, StepGate } from './concurrency';
import { LiveRlms } from './liveRlms';
import { passedLimit, timeLeftMs } from './limitChecks';
import { childRefusal, SANDBOXES_PER_RUN, SandboxMemory } from './sandboxMemory';
import { SubCallDedupe } from './subCallDedupe';
import type { Recorder } from './recorder';

export interface RunSettings {
  runId: string;
  query: string;
  rootModel: string;
  subModel: string;
  limits: RunLimits;
  seed: number;
  /**
   * The provider reports each call's cost (OpenRouter's usage.cost): a model with no price is
   * then allowed under a cost limit, which is checked after each call instead of before.
   */
  providerReportsCost?: boolean;
  /** A repeated (model, prompt) sub-call is answered from the first answer (--dedupe-subcalls, subCallDedupe.ts). */
  dedupeSubcalls?: boolean;
  /**
   * The size of the parts an input file too large for one string is given to the code in
   * (RunDetail.partBytes): a fork's is its parent's; absent, a new run's (domain/run.ts PART_BYTES).
   */
  partBytes?: number;
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
  /** A fork: the recording of the run it re-runs, as its root RLM asks it (callCache.ts). */
  cache?: RlmCache | null;
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
  /** Its RLMs going now, each steerable on its own (stop one, send one a note). */
  readonly rlms = new LiveRlms();
  private readonly controller = new AbortController();
  private stopped: RunStopped | null = null;
  /** Calls started, failed ones included: what the call limit counts. */
  private callsStarted = 0;
  private deadline: NodeJS.Timeout | null = null;
  /** Wall time run before the current stretch: paused time does not count. */
  private ranMs = 0;
  /** When the current stretch of running began; null while paused, before the start and after the end. */
  private runningSince: number | null = null;
  /** The cost and token limits, kept before each attempt (budget.ts). */
  private readonly budget: Budget;
  /** Calls waiting for calls in flight to give back what they hold. */
  private readonly budgetWaiters = new Set<() => void>();
  /** Model calls not yet recorded, so the run ends only once everything billed is. */
  private callsOpen = 0;
  private idleWaiters: (() => void)[] = [];
  /** The memory the run's sandboxes hold together (sandboxMemory.ts); sized when the root's starts. */
  private sandboxMemory: { budget: SandboxMemory; sandboxMb: number } | null = null;
  /** The run's sub-calls by (model, prompt) when it deduplicates them; null when it does not. */
  readonly dedupe: SubCallDedupe | null;

  constructor(
    readonly settings: RunSettings,
    readonly deps: RunDependencies,
  ) {
    this.calls = new Semaphore(settings.limits.concurrency);
    this.budget = new Budget({ maxTokens: settings.limits.maxTokens, maxCostUsd: settings.limits.maxCostUsd });
    this.dedupe = settings.dedupeSubcalls ? new SubCallDedupe() : null;
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

  /**
   * Before the root's sandbox starts: the run's sandboxes may hold SANDBOXES_PER_RUN times its
   * memory together, and it holds its own share. Returns the release.
   */
  holdRootSandbox(memoryMb: number): () => void {
    const budget = new SandboxMemory(SANDBOXES_PER_RUN * memoryMb);
    this.sandboxMemory = { budget, sandboxMb: memoryMb };
    const grant = budget.reserve(memoryMb);
    if (!grant.ok) throw new Error('the root sandbox does not fit the run'); // cannot happen: the budget is sized by it
    return grant.release;
  }

  /**
   * Before a child RLM's sandbox starts: its share of the run's sandbox memory, or an error for
   * the model when it does not fit. Never waits (a parent holds its memory while it waits for its
   * children). Returns the release.
   */
  holdChildSandbox(memoryMb: number): () => void {
    const memory = this.sandboxMemory;
    if (!memory) throw new Error('a child RLM started before the root');
    const grant = memory.budget.reserve(memoryMb);
    if (!grant.ok) throw new Error(childRefusal(memoryMb, grant, memory.sandboxMb));
    return grant.release;
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
    for (const wake of [...this.budgetWaiters]) wake();
  }

  throwIfStopped(): void {
    if (this.stopped) throw this.stopped;
  }

  /**
   * Between two steps: waits while paused, then goes on unless the run was stopped. `own`: the
   * step's own signal (a sub-call's), which takes it out of the queue when it aborts.
   */
  async checkpoint(own?: AbortSignal): Promise<void> {
    this.throwIfStopped();
    await this.gate.pass(this.signal, own);
    this.throwIfStopped();
  }

  /** Before a model call: the call limit counts calls started, this one included (limitChecks.ts). */
  beforeModelCall(): void {
    this.throwIfStopped();
    const hit = passedLimit(this.limits, { calls: this.callsStarted + 1, runningMs: this.runningMs() });
    if (hit) {
      this.stop(hit.reason, hit.message);
      this.throwIfStopped();
    }
    this.callsStarted++;
  }

  /**
   * Before an attempt at a model call: holds the most it can cost. When that does not fit beside
   * what is spent and held, it waits for calls in flight to settle; when it would not fit even
   * with none in flight, the run stops (status stopped, reason max-cost or max-tokens).
   */
  async reserve(inputBound: number, price: Price | null, signal: AbortSignal): Promise<Reservation> {
    for (;;) {
      this.throwIfStopped();
      if (signal.aborted) throw signal.reason;
      const grant = this.budget.reserve(inputBound, price);
      if (grant.ok) return grant.reservation;
      if (!grant.wait) {
        this.stop(grant.reason, grant.message);
        this.throwIfStopped();
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.budgetWaiters.delete(wake);
          unlink();
          resolve();
        };
        this.budgetWaiters.add(wake);
        const unlink = linkAbort(signal, wake);
      });
    }
  }

  /** An attempt ended: what it was billed is spent, the rest of its reservation is free again. */
  settle(reservation: Reservation, spend: Spend): void {
    this.budget.settle(reservation, spend);
    for (const wake of [...this.budgetWaiters]) wake();
  }

  /** A model call began; `callEnded` must follow once what it was billed is recorded. */
  callBegan(): void {
    this.callsOpen++;
  }

  callEnded(): void {
    this.callsOpen--;
    if (this.callsOpen > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once no model call is open: a stopped run's aborted calls have been recorded. */
  idle(): Promise<void> {
    if (this.callsOpen === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * After a model call, or an attempt the provider may have billed: tokens and cost into the
   * totals. The limits were kept before the call (reserve); nothing to check here.
   */
  afterModelCall(usage: { inputTokens: number; outputTokens: number; cachedTokens: number }, costUsd: number | null): void {
    const totals = this.totals;
    totals.modelCalls++;
    totals.inputTokens += usage.inputTokens;
    totals.outputTokens += usage.outputTokens;
    totals.cachedTokens += usage.cachedTokens;
    if (costUsd === null) totals.unpricedCalls++;
    else totals.pricedCostUsd += costUsd;
    totals.costUsd = totals.unpricedCalls > 0 ? null : totals.pricedCostUsd;
    this.deps.recorder.totalsChanged({ ...totals }, this.limits);
  }

  /** The run starts or resumes running: its clock runs, and the time limit is watched. */
  startClock(): void {
    this.runningSince = Date.now();
    this.armDeadline();
  }

  /** The run pauses or ends: its clock stops. */
  stopClock(): void {
    if (this.runningSince !== null) this.ranMs += Date.now() - this.runningSince;
    this.runningSince = null;
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = null;
  }

  private runningMs(): number {
    return this.ranMs + (this.runningSince === null ? 0 : Date.now() - this.runningSince);
  }

  private armDeadline(): void {
    const left = timeLeftMs(this.limits, this.runningMs());
    if (left === null) return;
    this.deadline = setTimeout(() => {
      this.deadline = null;
      // No call is about to start: only the time limit can have been passed. A timer may fire a
      // millisecond before the clock says the time is up; then it waits that millisecond more.
      const hit = passedLimit(this.limits, { calls: this.callsStarted, runningMs: this.runningMs() });
      if (hit) this.stop(hit.reason, hit.message);
      else this.armDeadline();
    }, left);
    this.deadline.unref();
  }

  pause(): void {
    if (this.gate.isPaused || this.stopped) return;
    this.gate.pause();
    this.stopClock();
    this.deps.recorder.statusChanged('paused');
  }

  resume(): void {
    if (!this.gate.isPaused || this.stopped) return;
    this.gate.resume();
    this.startClock();
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
