// Runs and their node trees. The engine commits every step before it moves on: each write method
// is one synchronous transaction, so a killed process loses nothing it was told was stored.
import type Database from 'better-sqlite3';
import { emptySubtree, type NodePayload, type NodeRow } from '../../shared/domain/node';
import { type InputDescription, type RunStatus, type RunSummary } from '../../shared/domain/run';
import type { RunSignal } from '../../shared/domain/signals';
import { RlmError } from '../../shared/errors';
import { describeSize } from '../../shared/valuePreview';
import type { PortableItem } from '../interop/portable/readPortable';
import { restorePortableRun, type RestoredRun, type RestoreOptions } from './portableRestore';
import { NodeIndexChunkWriter } from './nodeIndexChunks';
import { RunReader } from './runReader';
import { toNodeRow } from './nodeTuple';
import { payloadBody, runSettingsJson, toRunSummary } from './runRows';
import { prepareStatements } from './runStatements';
import { prepareTransactions } from './runTransactions';
import type { CallUsage, NewNode, NewRun, NodePatch, RunEnd, WholeRun } from './runWrites';
import { rollUpSubtrees } from './subtreeRollUp';
import { guard, missingRun, missingRunOr } from './storeErrors';

/** The longest value better-sqlite3 stores (it caps SQLite's length at what V8 can read back). */
export const ANSWER_BYTES_MAX = 2 ** 29 - 30;

export type { ListRunsOptions } from './runReader';
export type { CallUsage, NewNode, NewRun, NodePatch, RunEnd, WholeRun, WholeRunNode } from './runWrites';

/** How long a run opened without its chunks waits before they are written (chunkMissing). */
const LAZY_FILL_DELAY_MS = 2000;

/** Judges whether the process that owns a still-active run is alive. */
export type OwnerCheck = (pid: number, host: string, heartbeatAt: number | null) => boolean;

/** The runs of one database, written (the engine's records) and read (through RunReader). */
export class RunRepository extends RunReader {
  private readonly statements;
  private readonly transactions;
  private readonly oneCommit;
  private readonly indexChunks;

  constructor(private readonly db: Database.Database) {
    super(db);
    this.statements = prepareStatements(db);
    this.transactions = prepareTransactions(db, this.statements);
    this.oneCommit = db.transaction((writes: () => void) => writes());
    this.indexChunks = new NodeIndexChunkWriter(db, this.reads);
  }

  /**
   * Stores the node index of an ended run encoded (nodeIndexChunks.ts), chunk by chunk in short
   * transactions on later turns of the event loop; resolves when done (or the database closed),
   * at once for a run that has not ended. Each end of a run starts it (finishRun, an import, a
   * run found interrupted) and so does a page read live for want of a chunk: callers need not.
   */
  cacheNodeIndex(runId: string): Promise<number> {
    return this.indexChunks.fill(runId);
  }

  /**
   * A run opened whose chunks were never written, or not all (the process ended mid-fill). The
   * fill waits a moment: the view that opened the run is reading the rest of its pages now, and
   * encoding them for later would only slow that down.
   */
  protected override chunkMissing(runId: string): void {
    this.indexChunks.schedule(runId, LAZY_FILL_DELAY_MS);
  }

  /**
   * Runs `writes` (calls of this repository's write methods) in ONE transaction: all of them are
   * committed, or none (it throws). Each write inside keeps its own all-or-nothing (a savepoint).
   */
  inOneCommit(writes: () => void): void {
    guard('commit', () => this.oneCommit(writes));
  }

  /** A run read from a portable file, restored whole with its documents (portableRestore.ts). */
  async restorePortable(items: AsyncIterable<PortableItem>, options: RestoreOptions = {}): Promise<RestoredRun> {
    const restored = await restorePortableRun(this.db, items, options, this.statements);
    this.indexChunks.schedule(restored.runId);
    return restored;
  }

  createRun(run: NewRun): void {
    guard('createRun', () =>
      this.statements.insertRun.run({
        id: run.runId,
        createdAt: run.createdAt,
        query: run.query,
        rootModel: run.rootModel,
        subModel: run.subModel,
        baseUrl: run.baseUrl,
        limitsJson: runSettingsJson(run.limits, run.dedupeSubcalls, run.partBytes),
        seed: run.seed,
        ownerPid: run.ownerPid,
        ownerHost: run.ownerHost,
        forkedFromRun: run.forkedFrom?.runId ?? null,
        forkedFromNode: run.forkedFrom?.nodeId ?? null,
      }),
    );
  }

  addInput(runId: string, ord: number, input: InputDescription): void {
    guard('addInput', () => {
      try {
        this.transactions.addInput(runId, ord, input);
      } catch (error) {
        throw missingRunOr(runId, error);
      }
    });
  }

  addNode(runId: string, node: NewNode, payload: NodePayload): NodeRow {
    // Serialised before the transaction opens, to keep the write lock as short as possible.
    const body = payloadBody(payload);
    const documents = payload.documents ?? [];
    const row: NodeRow = {
      id: node.id,
      parentId: node.parentId,
      kind: node.kind,
      depth: node.depth,
      seq: node.seq,
      status: node.status ?? 'running',
      startedAt: node.startedAt,
      endedAt: null,
      label: node.label,
      model: node.model ?? null,
      purpose: node.purpose ?? null,
      inputTokens: null,
      outputTokens: null,
      cachedTokens: null,
      costUsd: null,
      usageEstimated: false,
      cached: node.cached ?? false,
      subtree: emptySubtree(),
    };
    guard('addNode', () => {
      try {
        this.transactions.addNode(runId, row, body, documents);
      } catch (error) {
        throw missingRunOr(runId, error);
      }
    });
    return row;
  }

  /** Fields left out of `patch` keep their value; `payload`, when given, replaces the stored one. */
  updateNode(runId: string, id: number, patch: NodePatch, payload?: NodePayload): NodeRow {
    const body = payload === undefined ? null : payloadBody(payload);
    const documents = payload?.documents ?? [];
    return guard('updateNode', () => toNodeRow(this.transactions.updateNode(runId, id, patch, body, documents)));
  }

  /**
   * Records the usage of one model call (once per llm node): sets the node's own usage, adds it
   * to the subtree roll-ups of the node and of every ancestor, and to the run totals.
   * `ancestors` come nearest first.
   */
  recordUsage(runId: string, nodeId: number, usage: CallUsage): { node: NodeRow; ancestors: NodeRow[] } {
    return guard('recordUsage', () => {
      const rows = this.transactions.recordUsage(runId, nodeId, usage).map(toNodeRow);
      // Ids are creation order, so the nearest ancestor has the largest id.
      rows.sort((a, b) => b.id - a.id);
      const [node, ...ancestors] = rows;
      if (node?.id !== nodeId) throw new RlmError('INTERNAL', `roll-up of node ${nodeId} lost the node`);
      return { node, ancestors };
    });
  }

  /**
   * A model call that came back: its usage (as recordUsage) and its end (as updateNode) in one
   * commit — the engine's hottest write, made once per call.
   */
  finishCall(runId: string, nodeId: number, usage: CallUsage, patch: NodePatch, payload: NodePayload): { node: NodeRow; ancestors: NodeRow[] } {
    const body = payloadBody(payload);
    return guard('finishCall', () => {
      const { rolled, node } = this.transactions.finishCall(runId, nodeId, usage, patch, body);
      const ancestors = rolled.map(toNodeRow).filter((row) => row.id !== nodeId);
      ancestors.sort((a, b) => b.id - a.id);
      return { node: toNodeRow(node), ancestors };
    });
  }

  /**
   * Many model calls that came back (finishCall each) in one write: each call's usage and end,
   * and their usage rolled up once per parent and once into the run. Returns the calls' rows in
   * order, and each ancestor changed once, at its last state.
   */
  finishCalls(runId: string, calls: readonly { id: number; usage: CallUsage; patch: NodePatch; payload: NodePayload }[]): { nodes: NodeRow[]; ancestors: NodeRow[] } {
    const finished = calls.map(({ id, usage, patch, payload }) => ({ id, usage, patch, body: payloadBody(payload) }));
    return guard('finishCalls', () => {
      const { nodes, ancestors } = this.transactions.finishCalls(runId, finished);
      return { nodes: nodes.map(toNodeRow), ancestors: ancestors.map(toNodeRow).sort((a, b) => b.id - a.id) };
    });
  }

  /**
   * Writes a run that has ended, with every node and payload, in ONE transaction: all of it is
   * stored or none of it (an import that fails half-way leaves no half run). Subtree totals are
   * rolled up from the nodes' own usage by rollUpSubtrees, the run's totals are its roots'; a
   * call of unknown price counts as unpriced, never as 0 USD. Throws RlmError INVALID_INPUT for
   * nodes out of order and STORE_FAILED for a taken run id (or any SQLite failure).
   */
  insertWholeRun(run: WholeRun): RunSummary {
    checkWholeNodes(run);
    // Serialised and rolled up before the transaction opens: the write lock is held for the
    // inserts only.
    const bodies = run.nodes.map((node) => payloadBody(node.payload));
    const subtrees = rollUpSubtrees(run.nodes);
    const cachedTokens = run.nodes.reduce((sum, node) => sum + (node.cachedTokens ?? 0), 0);
    return guard('insertWholeRun', () => {
      this.transactions.insertWholeRun(run, subtrees, bodies, cachedTokens);
      this.indexChunks.schedule(run.runId);
      const summary = this.getRun(run.runId);
      if (!summary) throw missingRun(run.runId);
      const { limits: _limits, baseUrl: _baseUrl, inputs: _inputs, ...rest } = summary;
      return rest;
    });
  }

  /**
   * Counts one of a fork's model calls answered from its parent's recording (RunSummary.cachedCalls):
   * no request, no cost, so it adds nothing to the run's live totals (recordUsage is for those).
   */
  addCachedCall(runId: string): void {
    guard('addCachedCall', () => {
      if (this.statements.addCachedCall.run({ runId }).changes === 0) throw missingRun(runId);
    });
  }

  /** Adds model turns, and raises the deepest RLM depth reached. */
  bumpRun(runId: string, delta: { iterations?: number; depth?: number }): void {
    guard('bumpRun', () => {
      const result = this.statements.bumpRun.run({
        runId,
        iterations: delta.iterations ?? 0,
        depth: delta.depth ?? 0,
      });
      if (result.changes === 0) throw missingRun(runId);
    });
  }

  setRunStatus(runId: string, status: RunStatus): void {
    guard('setRunStatus', () => {
      if (this.statements.setRunStatus.run({ runId, status }).changes === 0) throw missingRun(runId);
    });
  }

  /** The run-away signals that hold now (issue 13), replacing the last ones written. */
  setRunSignals(runId: string, signals: readonly RunSignal[]): void {
    guard('setRunSignals', () => {
      if (this.statements.setRunSignals.run({ runId, signals: JSON.stringify(signals) }).changes === 0) throw missingRun(runId);
    });
  }

  /** Ends the run, and with it any node of it still `running` (see endLeftoverNodes). */
  finishRun(runId: string, end: RunEnd): RunSummary {
    return guard('finishRun', () => {
      let row;
      try {
        row = this.transactions.finishRun(runId, end);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'SQLITE_TOOBIG' || end.answer === null) throw error;
        // The answer is longer than one database value may be (better-sqlite3 caps a value at
        // what V8 can read back: 2^29 - 30 bytes of UTF-8). It cannot be kept, so the run
        // fails and says exactly why, rather than with a bare "Invalid string length" (issue 9).
        const bytes = Buffer.byteLength(end.answer, 'utf8');
        const error_ = `the answer (${end.answer.length.toLocaleString('en-US')} characters, ${describeSize(bytes)} as UTF-8) is longer than one stored value may be (${ANSWER_BYTES_MAX.toLocaleString('en-US')} bytes), so it could not be kept; build a shorter answer, or write it in parts`;
        row = this.transactions.finishRun(runId, { ...end, status: 'failed', answer: null, stopReason: end.stopReason ?? null, error: error_ });
      }
      if (!row) throw missingRun(runId);
      this.indexChunks.schedule(runId);
      return toRunSummary(row);
    });
  }

  /**
   * Ends the nodes left `running` in runs that have ended (all such runs, or one): what a crash
   * between a node's start and its end left behind before finishRun ended them itself.
   * Returns how many nodes it ended.
   */
  endLeftoverNodes(runId: string | null = null): number {
    return guard('endLeftoverNodes', () => {
      if (runId === null && !this.statements.hasLeftoverNodes.get()) return 0;
      return this.statements.endLeftoverNodes.run({ runId }).changes;
    });
  }

  heartbeat(runId: string, at: number): void {
    guard('heartbeat', () => {
      if (this.statements.heartbeat.run({ runId, at }).changes === 0) throw missingRun(runId);
    });
  }

  /**
   * Marks the active runs whose owner is gone as interrupted: the run ends at its last known
   * activity (never after `now`), and its running nodes end with it. Returns the runs marked.
   */
  markInterrupted(isOwnerAlive: OwnerCheck, now: number): string[] {
    return guard('markInterrupted', () => {
      const marked: string[] = [];
      for (const run of this.statements.activeRuns.all()) {
        if (isOwnerAlive(run.owner_pid, run.owner_host, run.heartbeat_at)) continue;
        if (this.transactions.interrupt.immediate(run.id, now)) marked.push(run.id);
      }
      for (const runId of marked) this.indexChunks.schedule(runId);
      return marked;
    });
  }
}

/** The tree's shape: ids from 1 in order, each parent before its children (as addNode keeps it). */
function checkWholeNodes(run: WholeRun): void {
  const seen = new Set<number>();
  for (const node of run.nodes) {
    if (!Number.isInteger(node.id) || node.id < 1 || seen.has(node.id)) {
      throw new RlmError('INVALID_INPUT', `run ${run.runId}: node id ${node.id} is not a new whole number of at least 1`);
    }
    if (node.parentId !== null && !seen.has(node.parentId)) {
      throw new RlmError('INVALID_INPUT', `run ${run.runId}: node ${node.id} comes before its parent ${node.parentId}`);
    }
    seen.add(node.id);
  }
}
