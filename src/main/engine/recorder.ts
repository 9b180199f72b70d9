// Records a run as it happens: every node is committed to the store before the engine moves on
// (DESIGN §5), then announced to subscribers. The only writer of a run's rows.
import type { RlmEvent } from '../../shared/api';
import type { LlmPurpose, NodeKind, NodePayload, NodeRow, NodeStatus } from '../../shared/domain/node';
import type { RunStatus, RunSummary, RunTotals, StopReason } from '../../shared/domain/run';
import type { RunSignal } from '../../shared/domain/signals';
import type { CallUsage, NodePatch, RunEnd, RunRepository } from '../store/runRepository';
import { ellipsize, wellFormed } from '../../shared/ellipsize';
import { CommitBurst } from './commitBurst';
import { SignalFeed } from './signalFeed';
import type { ForecastLimits } from './signals';

export interface NewNodeSpec {
  parentId: number | null;
  kind: NodeKind;
  depth: number;
  label: string;
  model?: string | null;
  purpose?: LlmPurpose | null;
  /** Answered without a request: by a fork's recording (callCache.ts) or an identical earlier sub-call (subCallDedupe.ts). */
  cached?: boolean;
}

export type EmitEvent = (event: RlmEvent) => void;

/** Told once, on the first write that failed, why the run can no longer be recorded. */
export type StoreFailureListener = (message: string) => void;

export class Recorder {
  private nextId = 1;
  private readonly childCount = new Map<number | null, number>();
  /** Payloads of nodes still running: a finished node's payload is in the store only. */
  private readonly payloads = new Map<number, NodePayload>();
  /**
   * Why the run can no longer be recorded (the first write that failed: a full disk), or null.
   * DESIGN §5: nothing may happen that cannot be recorded, so the first failure stops the run.
   */
  private storeFailure: string | null = null;
  private onStoreFailure: StoreFailureListener = () => undefined;
  /** The run's run-away signals (issue 13), fed from what passes through here. */
  readonly signals: SignalFeed;
  /** Model calls' starts and ends, committed together per turn of the event loop (commitBurst.ts). */
  private readonly burst: CommitBurst;
  /** Calls that came back, waiting for the burst's commit (finishCall). */
  private finishing: { id: number; usage: CallUsage; patch: NodePatch; payload: NodePayload }[] = [];
  /** Ancestors whose roll-ups the burst changed: told once per burst, at their last state. */
  private readonly rolledUp = new Map<number, NodeRow>();

  constructor(
    private readonly store: RunRepository,
    readonly runId: string,
    private readonly emit: EmitEvent,
  ) {
    this.signals = new SignalFeed((signals) => this.publishSignals(signals));
    this.burst = new CommitBurst(
      (writes) => store.inOneCommit(writes),
      (error) => {
        // The failed burst held the write of these: none of them is stored.
        this.finishing = [];
        this.failed(error);
      },
      () => {
        for (const node of this.rolledUp.values()) this.nodeUpdated(node);
        this.rolledUp.clear();
      },
    );
  }

  /** The run's owner stops the run here; called at most once. */
  whenStoreFails(listener: StoreFailureListener): void {
    this.onStoreFailure = listener;
  }

  /**
   * Every write goes through here: what the burst holds is committed first, to keep the order;
   * the first write that fails stops the run, then it throws on.
   */
  private write<T>(commit: () => T): T {
    try {
      this.burst.flush();
      return commit();
    } catch (error) {
      this.failed(error);
      throw error;
    }
  }

  private failed(error: unknown): void {
    if (this.storeFailure !== null) return;
    // The store names the operation first ("addNode: database or disk is full"); SQLite's reason is what the user can act on.
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^[a-zA-Z]+: /, '');
    this.storeFailure = `could not record the run: ${reason}`;
    this.onStoreFailure(this.storeFailure);
  }

  /** Adds a node, committed before this returns. */
  addNode(spec: NewNodeSpec, payload: NodePayload): number {
    const { id, row } = this.newNode(spec, payload);
    const node = this.write(() => this.store.addNode(this.runId, row, payload));
    this.nodeAdded(node, payload);
    return id;
  }

  /**
   * A model call's node, committed with the burst it joins: the caller awaits `committed()`
   * before it sends the request, so no request goes out unrecorded. Told once committed.
   */
  addCall(spec: NewNodeSpec, payload: NodePayload): number {
    const { id, row } = this.newNode(spec, payload);
    this.burst.add(() => {
      const node = this.store.addNode(this.runId, row, payload);
      return () => this.nodeAdded(node, payload);
    });
    return id;
  }

  /** Resolves once every call start and end recorded so far is committed (rejects when that failed). */
  committed(): Promise<void> {
    return this.burst.committed();
  }

  private newNode(spec: NewNodeSpec, payload: NodePayload): { id: number; row: Parameters<RunRepository['addNode']>[1] } {
    const id = this.nextId++;
    const seq = this.childCount.get(spec.parentId) ?? 0;
    this.childCount.set(spec.parentId, seq + 1);
    this.payloads.set(id, payload);
    return { id, row: { id, seq, startedAt: Date.now(), status: 'running', ...spec, label: oneLine(spec.label) } };
  }

  private nodeAdded(node: NodeRow, payload: NodePayload): void {
    this.emit({ type: 'run.nodeAdded', runId: this.runId, node });
    this.signals.nodeAdded(node);
    if (node.kind === 'llm' && node.purpose === 'sub' && node.parentId !== null) this.signals.subCall(node.id, node.parentId, node.model ?? '', payload.prompt ?? []);
  }

  /** Merges into the node's payload and commits it. */
  update(id: number, payload: Partial<NodePayload>, patch: { label?: string; model?: string } = {}): NodeRow {
    const merged = { ...this.payloadOf(id), ...payload };
    if (this.payloads.has(id)) this.payloads.set(id, merged);
    const node = this.write(() => this.store.updateNode(this.runId, id, { ...patch, ...(patch.label !== undefined ? { label: oneLine(patch.label) } : {}) }, merged));
    this.nodeUpdated(node);
    return node;
  }

  appendNote(id: number, note: string): void {
    this.update(id, { notes: [...(this.payloadOf(id).notes ?? []), note] });
  }

  /** A model call's reply as recorded (a running node's from memory, a finished one's from the store); null when it has none. */
  replyOf(id: number): string | null {
    const text = this.payloadOf(id).text;
    return typeof text === 'string' ? text : null;
  }

  private payloadOf(id: number): NodePayload {
    return this.payloads.get(id) ?? this.store.getPayload(this.runId, id) ?? {};
  }

  finish(id: number, status: NodeStatus, payload: Partial<NodePayload> = {}, patch: { label?: string } = {}): NodeRow {
    const merged = { ...this.payloadOf(id), ...payload };
    this.payloads.delete(id);
    const node = this.write(() => this.store.updateNode(
      this.runId,
      id,
      { status, endedAt: Date.now(), ...(patch.label !== undefined ? { label: oneLine(patch.label) } : {}) },
      merged,
    ));
    this.nodeUpdated(node);
    this.signals.nodeEnded(node, merged);
    return node;
  }

  /**
   * A model call that came back: tokens and cost rolled up into its ancestors and the run,
   * committed with the burst it joins (the caller awaits `committed()` before it hands the answer
   * on); the ancestors are told once per burst.
   */
  finishCall(id: number, usage: CallUsage, payload: Partial<NodePayload>, patch: { label?: string } = {}): void {
    const merged = { ...this.payloadOf(id), ...payload };
    // Kept in memory until committed: the store has the node's old payload till then.
    this.payloads.set(id, merged);
    const nodePatch = { status: 'completed' as const, endedAt: Date.now(), ...(patch.label !== undefined ? { label: oneLine(patch.label) } : {}) };
    this.finishing.push({ id, usage, patch: nodePatch, payload: merged });
    if (this.finishing.length > 1) return;
    // The burst's calls that came back are written together: their ancestors once (finishCalls).
    this.burst.add(() => {
      const calls = this.finishing;
      this.finishing = [];
      const { nodes, ancestors } = this.store.finishCalls(this.runId, calls);
      return () => {
        for (const call of calls) if (this.payloads.get(call.id) === call.payload) this.payloads.delete(call.id);
        for (const node of nodes) this.nodeUpdated(node);
        for (const ancestor of ancestors) this.rolledUp.set(ancestor.id, ancestor);
      };
    });
  }

  /** A call given up on that the provider may have billed: its usage rolled up like a finished call's. */
  chargeCall(id: number, usage: CallUsage): void {
    const { node, ancestors } = this.write(() => this.store.recordUsage(this.runId, id, usage));
    for (const changed of [node, ...ancestors]) this.nodeUpdated(changed);
  }

  private nodeUpdated(node: NodeRow): void {
    this.emit({ type: 'run.nodeUpdated', runId: this.runId, node });
    this.signals.nodeUpdated(node);
  }

  streamed(nodeId: number, delta: string): void {
    this.emit({ type: 'run.replyStreamed', runId: this.runId, nodeId, delta });
  }

  /** The text streamed so far for this node is void (the call is being retried). */
  streamReset(nodeId: number): void {
    this.emit({ type: 'run.replyStreamed', runId: this.runId, nodeId, delta: '', reset: true });
  }

  /** A call was answered without a request (a fork's recording, a deduplicated sub-call): counted apart from the live calls. */
  cachedCall(): void {
    this.write(() => this.store.addCachedCall(this.runId));
  }

  countTurn(depth: number): void {
    this.write(() => this.store.bumpRun(this.runId, { iterations: 1, depth }));
  }

  reachedDepth(depth: number): void {
    this.write(() => this.store.bumpRun(this.runId, { depth }));
  }

  /** The run's totals after a call; `limits` for the budget forecast. */
  totalsChanged(totals: RunTotals, limits: ForecastLimits): void {
    this.emit({ type: 'run.totalsChanged', runId: this.runId, totals });
    this.signals.totals(totals, limits);
  }

  /** How far a large input has been read before the first step (nothing is stored). */
  inputProgress(name: string, phase: 'checking' | 'storing', doneBytes: number, totalBytes: number): void {
    this.emit({ type: 'run.inputProgress', runId: this.runId, name, phase, doneBytes, totalBytes });
  }

  limitReached(reason: StopReason, message: string): void {
    this.emit({ type: 'run.limitReached', runId: this.runId, reason, message });
  }

  statusChanged(status: RunStatus): void {
    this.write(() => this.store.setRunStatus(this.runId, status));
    this.emit({ type: 'run.statusChanged', runId: this.runId, status });
    this.signals.status(status);
  }

  /**
   * The signals that hold, throttled by the feed: kept with the run (an interrupted run keeps
   * its last set), then told. A failed write stops the run (write); the set is told all the same.
   */
  private publishSignals(signals: RunSignal[]): void {
    try {
      this.write(() => this.store.setRunSignals(this.runId, signals));
    } catch {
      // write() has stopped the run; the feed publishes from a timer, where a throw would be uncaught
    }
    this.emit({ type: 'run.signalsChanged', runId: this.runId, signals });
  }

  /**
   * Tells other processes sharing the database that this run's owner is alive. Best effort: a
   * busy database skips a beat, it does not end the run.
   */
  heartbeat(): void {
    try {
      this.store.heartbeat(this.runId, Date.now());
    } catch {
      // the next beat comes in a few seconds
    }
  }

  finishRun(end: Omit<RunEnd, 'endedAt'>): RunSummary {
    try {
      this.burst.flush();
    } catch {
      // the run is failed below, saying why (storeFailure)
    }
    this.burst.dispose();
    const endedAt = Date.now();
    // The forecast is withdrawn at the end; the set is written with the end, and told once more.
    const signals = this.signals.finish();
    // A run stopped by a failed write ends failed, saying so, whatever it was doing then.
    const ending = this.storeFailure === null ? end : { status: 'failed' as const, answer: null, stopReason: 'error' as const, error: this.storeFailure };
    let summary: RunSummary;
    try {
      summary = this.store.finishRun(this.runId, { ...ending, endedAt, signals });
    } catch (error) {
      // The end cannot be recorded either (the disk is still full): the caller is told how the
      // run ended all the same, from what the store last holds (reading needs no space). The
      // run stays active in the file until the next open finds its owner gone and marks it
      // interrupted, with its running nodes.
      const last = this.store.getRun(this.runId);
      if (!last) throw error;
      const reason = this.storeFailure ?? `could not record the end of the run: ${error instanceof Error ? error.message : String(error)}`;
      summary = { ...last, status: 'failed', answer: null, stopReason: 'error', error: reason, endedAt, signals };
    }
    this.emit({ type: 'run.signalsChanged', runId: this.runId, signals });
    this.emit({ type: 'run.finished', runId: this.runId, summary });
    return summary;
  }
}

/** One line for the tree: the first non-empty line, cut to 200 characters. */
export function oneLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return wellFormed(ellipsize(line.trim(), 200));
}
