// The open run as data, and how a batch of its events changes it. One reducer for a run loaded
// from the store and a run watched live (DESIGN §6): the snapshot builds the model, events move it.
// The tree and rows are mutated in place (see treeModel.ts); the run's summary is replaced.
import type { RunEvent } from '../../shared/api';
import type { NodeRow } from '../../shared/domain/node';
import type { RunDetail, RunStatus, StopReason } from '../../shared/domain/run';
import type { RunSignal } from '../../shared/domain/signals';
import { ACTIVE_RUN_STATUSES } from '../../shared/domain/run';
import { indexSignals, type SignalIndex } from './signals';
import { buildSteps, type RunSteps } from './timeTravel';
import { buildTree, flatten, tryAppendRow, upsertNode, type TreeIndex, type VisibleRows } from './treeModel';

export interface StreamedReply {
  text: string;
  /** The stream began before this page subscribed: its start is missing. */
  partial: boolean;
}

export interface LimitHit {
  reason: StopReason;
  message: string;
}

export interface RunModel {
  run: RunDetail;
  tree: TreeIndex;
  rows: VisibleRows;
  /** The rows no longer match the tree: `flatten` before drawing. */
  rowsDirty: boolean;
  /** Reply text of model calls still streaming, by node id. */
  streams: Map<number, StreamedReply>;
  /** Nodes whose `run.nodeAdded` this page received: their streams are whole. */
  seenAdded: Set<number>;
  limitHit: LimitHit | null;
  /** Time travel: the step shown (timeTravel.ts), or null for the run as recorded, live. */
  step: number | null;
  /** The steps of the tree as it is; null until asked for, and again once the tree changes. */
  steps: RunSteps | null;
  /**
   * The run-away signals that hold now: the summary's when opened, then each `run.signalsChanged`
   * whole. Read here, not from `run.signals`, which a summary merged in later may carry stale.
   */
  signals: SignalIndex;
}

export interface BatchChanges {
  /** Some node changed, was added, or the rows changed. */
  nodes: boolean;
  run: boolean;
  streams: boolean;
  limit: boolean;
  signals: boolean;
}

export function createModel(run: RunDetail, nodes: readonly NodeRow[] | TreeIndex): RunModel {
  const tree = Array.isArray(nodes) ? buildTree(nodes) : (nodes as TreeIndex);
  return { run, tree, rows: flatten(tree), rowsDirty: false, streams: new Map(), seenAdded: new Set(), limitHit: null, step: null, steps: null, signals: indexSignals(run.signals) };
}

/** The steps of the tree as it is now, built when first asked for after a change. */
export function stepsOf(model: RunModel): RunSteps {
  model.steps ??= buildSteps(model.tree);
  return model.steps;
}

export function isActive(status: RunStatus): boolean {
  return ACTIVE_RUN_STATUSES.includes(status);
}

/**
 * Applies a batch of events (one animation frame's worth). Idempotent against the snapshot the
 * model was built from: events received while it loaded may repeat or predate it.
 */
export function applyEvents(model: RunModel, events: readonly RunEvent[]): BatchChanges {
  const changes: BatchChanges = { nodes: false, run: false, streams: false, limit: false, signals: false };
  for (const event of events) {
    switch (event.type) {
      case 'run.nodeAdded':
      case 'run.nodeUpdated':
        if (event.type === 'run.nodeAdded') model.seenAdded.add(event.node.id);
        applyNode(model, event.node, changes);
        break;
      case 'run.replyStreamed': {
        const held = model.streams.get(event.nodeId);
        const node = model.tree.nodes.get(event.nodeId);
        // A delta that arrives after its call ended (in the same batch) would resurrect it.
        if (node && node.status !== 'running') break;
        const text = event.reset ? event.delta : (held?.text ?? '') + event.delta;
        const partial = event.reset ? false : (held?.partial ?? !model.seenAdded.has(event.nodeId));
        model.streams.set(event.nodeId, { text, partial });
        changes.streams = true;
        break;
      }
      case 'run.totalsChanged':
        // Totals only grow; an older total buffered during the load is dropped.
        if (event.totals.modelCalls < model.run.modelCalls) break;
        model.run = { ...model.run, ...event.totals };
        changes.run = true;
        break;
      case 'run.statusChanged':
        // An ended run never becomes active again: such an event predates the snapshot.
        if (!isActive(model.run.status) && isActive(event.status)) break;
        if (model.run.status === event.status) break;
        model.run = { ...model.run, status: event.status };
        changes.run = true;
        break;
      case 'run.started':
        if (!isActive(model.run.status)) break;
        model.run = { ...model.run, ...event.summary };
        changes.run = true;
        break;
      case 'run.finished':
        model.run = { ...model.run, ...event.summary };
        changes.run = true;
        // The set as the run ended, when the summary says it (the store sets it).
        if (event.summary.signals) setSignals(model, event.summary.signals, changes);
        break;
      case 'run.signalsChanged':
        // Pushed while the run goes. Once it has ended, the snapshot or `run.finished` has the set
        // as it ended, and such an event predates it.
        if (isActive(model.run.status)) setSignals(model, event.signals, changes);
        break;
      case 'run.limitReached':
        model.limitHit = { reason: event.reason, message: event.message };
        changes.limit = true;
        break;
    }
  }
  return changes;
}

function setSignals(model: RunModel, signals: readonly RunSignal[], changes: BatchChanges): void {
  model.signals = indexSignals(signals);
  changes.signals = true;
}

function applyNode(model: RunModel, node: NodeRow, changes: BatchChanges): void {
  const result = upsertNode(model.tree, node);
  if (result === 'stale') return;
  changes.nodes = true;
  model.steps = null;
  if (node.status !== 'running' && model.streams.delete(node.id)) changes.streams = true;
  // At an earlier step the rows are those of that step: they are filtered again, not appended to.
  if (model.step !== null) model.rowsDirty = true;
  else if (result === 'added' && !model.rowsDirty && !tryAppendRow(model.tree, model.rows, node.id)) model.rowsDirty = true;
}

/** Brings the rows up to date with the tree; returns whether they were rebuilt. */
export function refreshRows(model: RunModel): boolean {
  if (!model.rowsDirty) return false;
  const step = model.step;
  if (step === null) model.rows = flatten(model.tree);
  else model.rows = stepsOf(model).rowsAt(model.tree, step);
  model.rowsDirty = false;
  return true;
}
