// The run-away signals of the open run (issue 13, shared/domain/signals.ts) as the view reads
// them: indexed by node once per change, so that each tree row looks its flags up in a Map rather
// than scanning the set; and the words the header, the rows, the detail and the runs list show.
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
 * How many flagged nodes each ancestor of a flagged node holds below it: a collapsed row shows
 * that its hidden rows carry flags. One walk up per flagged node, so flagged × depth steps; the
 * set is small (at most one signal per cell, RLM or kind), and a parent loop cannot hang it.
 */
export function flaggedBelow(tree: TreeIndex, index: SignalIndex): Map<number, number> {
  const below = new Map<number, number>();
  for (const id of index.byNode.keys()) {
    let parent = tree.nodes.get(id)?.parentId ?? null;
    for (let steps = 0; parent !== null && steps < tree.nodes.size; steps++) {
      below.set(parent, (below.get(parent) ?? 0) + 1);
      parent = tree.nodes.get(parent)?.parentId ?? null;
    }
  }
  return below;
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

/** A message quotes what it saw (a candidate answer, cut by the engine); a tooltip needs no more than this. */
const LINE_CHARS = 400;

/** One line per signal, its kind first: a tooltip (rows, runs list) and what a screen reader hears. */
export function signalLines(signals: readonly RunSignal[]): string {
  return signals
    .map((s) => {
      const line = `${SIGNAL_LABEL[s.kind]}: ${s.message.replace(/\s+/g, ' ').trim()}`;
      return line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 1)}…` : line;
    })
    .join('\n');
}
