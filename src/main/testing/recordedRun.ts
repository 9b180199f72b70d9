// A run fed to the run-away detector (engine/signals/) by hand, as the engine feeds it: the
// detector's tests build their runs with it.
import type { NodeKind, NodeRow } from '../../shared/domain/node';
import { emptySubtree } from '../../shared/domain/node';
import type { RunTotals } from '../../shared/domain/run';
import { emptyTotals } from '../../shared/domain/run';
import type { DetectedSignal, SignalChange } from '../../shared/domain/signals';
import { RunawaySignals, type SignalInput, type SignalThresholds } from '../engine/signals';
/**
 * A run fed to the detector as the engine feeds it (recorder.ts): a node's row when it is added,
 * its row again when it finishes, and a finished call's cost rolled up into every ancestor's row,
 * each ancestor announced; the payload facts (sub-call prompt, cell code and output, a turn, an
 * answer) beside them.
 */
export class RecordedRun {
  readonly detector: RunawaySignals;
  /** Every change the detector reported, in order. */
  readonly changes: SignalChange[] = [];
  private nextId = 1;
  private readonly rows = new Map<number, NodeRow>();

  constructor(thresholds: Partial<SignalThresholds> = {}) {
    this.detector = new RunawaySignals(thresholds);
  }

  feed(event: SignalInput): SignalChange[] {
    const changes = this.detector.observe(event);
    this.changes.push(...changes);
    return changes;
  }

  signals(kind?: DetectedSignal['kind']): DetectedSignal[] {
    return this.detector.signals().filter((s) => kind === undefined || s.kind === kind);
  }

  private add(kind: NodeKind, parentId: number | null, extra: Partial<NodeRow> = {}): number {
    const parent = parentId === null ? null : this.rows.get(parentId);
    const depth = kind === 'rlm' ? (parent ? parent.depth + 1 : 0) : (parent?.depth ?? 0);
    const row: NodeRow = {
      id: this.nextId++, parentId, kind, depth, seq: 0, status: 'running', startedAt: 0, endedAt: null, label: kind,
      model: null, purpose: null, inputTokens: null, outputTokens: null, cachedTokens: null, costUsd: null,
      usageEstimated: false, subtree: emptySubtree(), ...extra,
    };
    this.rows.set(row.id, row);
    this.feed({ type: 'run.nodeAdded', node: copyOf(row) });
    return row.id;
  }

  rlm(parentCell: number | null = null): number {
    return this.add('rlm', parentCell);
  }

  cell(rlmId: number): number {
    return this.add('cell', rlmId);
  }

  /** A model call sent; `finishCall` ends it. */
  startCall(parentId: number, purpose: 'turn' | 'sub', model = 'gpt-sub'): number {
    return this.add('llm', parentId, { model, purpose });
  }

  /** Its usage and cost (null: no known price), rolled up into its ancestors, each announced. */
  finishCall(id: number, costUsd: number | null): void {
    const row = this.row(id);
    Object.assign(row, { status: 'completed', inputTokens: 100, outputTokens: 10, costUsd });
    const changed: NodeRow[] = [];
    for (let node: NodeRow | undefined = row; node; node = node.parentId === null ? undefined : this.rows.get(node.parentId)) {
      if (costUsd === null) node.subtree.unpricedCalls++;
      else node.subtree.pricedCostUsd += costUsd;
      node.subtree.modelCalls++;
      changed.push(node);
    }
    for (const node of changed) this.feed({ type: 'run.nodeUpdated', node: copyOf(node) });
  }

  /** A sub-call from a cell: sent (its prompt told), and answered unless `inFlight`. */
  subCall(cellId: number, prompt: string, costUsd: number | null = 0.01, { model = 'gpt-sub', inFlight = false } = {}): number {
    const id = this.startCall(cellId, 'sub', model);
    this.feed({ type: 'subCall', nodeId: id, cellId, rlmId: this.row(cellId).parentId ?? 0, model, prompt: [{ role: 'user', content: prompt }] });
    if (!inFlight) this.finishCall(id, costUsd);
    return id;
  }

  turnCall(rlmId: number, costUsd: number | null = 0.05): number {
    const id = this.startCall(rlmId, 'turn', 'gpt-root');
    this.finishCall(id, costUsd);
    return id;
  }

  endCell(cellId: number, code: string, output: string): void {
    const row = this.row(cellId);
    row.status = 'completed';
    this.feed({ type: 'run.nodeUpdated', node: copyOf(row) });
    this.feed({ type: 'cell', nodeId: cellId, rlmId: row.parentId ?? 0, code, output });
  }

  /** One whole turn as the engine runs it: the model call, one cell with its sub-calls, the guard's view. */
  turn(rlmId: number, code: string, output: string, prompts: string[] = []): number {
    this.turnCall(rlmId);
    const cellId = this.cell(rlmId);
    for (const prompt of prompts) this.subCall(cellId, prompt);
    this.endCell(cellId, code, output);
    this.feed({ type: 'turn', nodeId: cellId, rlmId, code, output });
    return cellId;
  }

  row(id: number): NodeRow {
    const row = this.rows.get(id);
    if (!row) throw new Error(`no node ${id}`);
    return row;
  }
}

/** The row as the store hands it out: a copy, not the run's own object. */
export function copyOf(row: NodeRow): NodeRow {
  return { ...row, subtree: { ...row.subtree } };
}

/** 1,000 distinct sub-calls spread over 20 cells of one RLM, varied code, its answer returned. */
export function healthyRun(run: RecordedRun): number {
  const root = run.rlm();
  for (let turn = 0; turn < 20; turn++) {
    const prompts = Array.from({ length: 50 }, (_, k) => `Summarise chunk ${turn * 50 + k} of the report.`);
    run.turn(root, `const part${turn} = await llm_query_batched(chunks.slice(${turn * 50}, ${turn * 50 + 50}));\nprint(part${turn}.length)`, `50 summaries for part ${turn}`, prompts);
  }
  const last = run.turn(root, 'const answer = "The report covers 1,000 sections."\nprint(`Answer: ${answer}`)', 'Answer: The report covers 1,000 sections.');
  run.feed({ type: 'rlmAnswered', rlmId: root, answer: 'The report covers 1,000 sections.' });
  return last;
}

export function totalsAt(cost: number, tokens = 0): RunTotals {
  return { ...emptyTotals(), costUsd: cost, pricedCostUsd: cost, inputTokens: tokens };
}
