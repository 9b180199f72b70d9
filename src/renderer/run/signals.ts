// The run-away signals of the open run (issue 13, shared/domain/signals.ts) as the view reads
// them: indexed by node once per change, so that each tree row looks its flags up in a Map rather
// than scanning the set; and the words the header, the rows, the detail and the runs list show.
import { namedBidiControls } from '../../shared/bidiControls';
import type { RunSignal, RunSignalKind } from '../../shared/domain/signals';
import { usd } from '../../shared/format';
import type { TreeIndex } from './treeModel';

export interface SignalIndex {
  /** The whole set, in the order the engine gave it. */
  readonly all: readonly RunSignal[];
  /** The signals flagged on each node (`nodeId` not null). */
  readonly byNode: ReadonlyMap<number, readonly RunSignal[]>;
}

export const NO_SIGNALS: SignalIndex = { all: [], byNode: new Map() };

/** Built once per change of the set (a few per second at most), never per row or per render. */
export function indexSignals(signals: readonly RunSignal[] | undefined): SignalIndex {
  if (!signals || signals.length === 0) return NO_SIGNALS;
  const byNode = new Map<number, RunSignal[]>();
  for (const signal of signals) {
    if (signal.nodeId === null) continue;
    const list = byNode.get(signal.nodeId);
    if (list) list.push(signal);
    else byNode.set(signal.nodeId, [signal]);
  }
  return { all: signals, byNode };
}

/**
 * The signals to show. A budget forecast speaks of the time a run has left: once the run has
 * ended it says nothing true, whether or not the engine withdrew it before the last event.
 */
export function shownSignals(signals: readonly RunSignal[] | undefined, runActive: boolean): readonly RunSignal[] {
  if (!signals) return [];
  return runActive ? signals : signals.filter((s) => s.kind !== 'budget-forecast');
}

/**
 * The ancestors of flagged nodes: a collapsed row among them shows that rows it hides carry flags.
 * Each walk up stops at an ancestor already marked, so the whole costs at most one step per node
 * of the tree however many flags a deep chain holds (a count per ancestor would cost flags ×
 * depth: 10,000 × 10,000 steps on a deep run, ten times a second while it goes). A parent loop in
 * bad data ends the same way.
 */
export function flaggedAncestors(tree: TreeIndex, index: SignalIndex): Set<number> {
  const marked = new Set<number>();
  for (const id of index.byNode.keys()) {
    let parent = tree.nodes.get(id)?.parentId ?? null;
    while (parent !== null && !marked.has(parent)) {
      marked.add(parent);
      parent = tree.nodes.get(parent)?.parentId ?? null;
    }
  }
  return marked;
}

/** A message quotes what it saw (a candidate answer, cut by the engine); the page shows no more than this of one. */
const MESSAGE_CHARS = 2000;

/** The message as shown in the header's list and the detail pane. */
export function shownMessage(signal: RunSignal): string {
  return signal.message.length > MESSAGE_CHARS ? `${signal.message.slice(0, MESSAGE_CHARS - 1)}…` : signal.message;
}

/** A few words per kind: the header's list, the rows' screen-reader text, the detail pane. */
export const SIGNAL_LABEL: Record<RunSignalKind, string> = {
  'duplicate-subcalls': 'Duplicate sub-calls',
  'subcall-explosion': 'Sub-call explosion',
  repetition: 'Repetition',
  'answer-discarded': 'Answer discarded',
  'budget-forecast': 'Budget forecast',
};

/** What the pattern has cost so far; null when unknown (nothing said: the message says why). */
export function signalCost(signal: RunSignal): string | null {
  return signal.costUsd === null ? null : usd(signal.costUsd);
}

/** "1 signal", "3 signals". */
export function signalCount(n: number): string {
  return `${n.toLocaleString('en-US')} signal${n === 1 ? '' : 's'}`;
}

/** A tooltip line needs no more than this. */
const LINE_CHARS = 400;

/** One line per signal, its kind first: a tooltip (rows, runs list) and what a screen reader hears. */
export function signalLines(signals: readonly RunSignal[]): string {
  return signals
    .map((s) => {
      const line = `${SIGNAL_LABEL[s.kind]}: ${namedBidiControls(s.message).replace(/\s+/g, ' ').trim()}`;
      return line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 1)}…` : line;
    })
    .join('\n');
}
