// Feeds one run's run-away detector (signals/) from what the recorder already holds, and
// publishes the signals that hold. The recorder owns it: every node row it commits, every
// sub-call's prompt and every cell's code and output pass through it with the payload in hand,
// so nothing is read back from the store and the engine's other files stay free of detector
// calls (only a turn, as the run-away guard sees it, comes from rlm.ts).
//
// Publishing is throttled: a 100,000-sub-call run changes its duplicate count on every copy, and
// each change would otherwise be an event to every subscriber and a write. The first change goes
// out at once (the CLI prints a new signal as it appears), later ones at most every PUBLISH_MS,
// and the end always once.
import type { ChatMessage, NodeRow } from '../../shared/domain/node';
import type { RunStatus, RunTotals } from '../../shared/domain/run';
import { toRunSignal, type DetectedSignal, type RunSignal, type RunSignalKind } from '../../shared/domain/signals';
import { RunawaySignals, type ForecastLimits, type SignalInput } from './signals';

/** The shortest time between two publications of a run's signals. */
export const PUBLISH_MS = 250;

/**
 * The most signals of one kind a run lists. Repetition and answer-discarded are per RLM, an
 * explosion per cell: a run-away fanning out to thousands of looping children held a signal each,
 * and the whole list (about 250 bytes a signal) was rewritten to the run's row and sent to every
 * page up to four times a second, read back by every `runs.list`, and printed line by line by the
 * CLI. Past this many, one more signal of the kind counts the rest.
 */
export const MAX_SIGNALS_PER_KIND = 20;

/** What a run lists of the detector's signals: the first MAX_SIGNALS_PER_KIND of each kind, then a count of the rest. */
export function listedSignals(detected: readonly DetectedSignal[]): RunSignal[] {
  const listed: RunSignal[] = [];
  const kept = new Map<RunSignalKind, number>();
  const rest = new Map<RunSignalKind, { count: number; costUsd: number | null }>();
  for (const signal of detected) {
    const count = kept.get(signal.kind) ?? 0;
    if (count < MAX_SIGNALS_PER_KIND) {
      kept.set(signal.kind, count + 1);
      listed.push(toRunSignal(signal));
      continue;
    }
    const more = rest.get(signal.kind) ?? { count: 0, costUsd: 0 };
    more.count++;
    // Unknown once one of them is: a sum would pass for the whole.
    more.costUsd = more.costUsd === null || signal.costUsd === null ? null : more.costUsd + signal.costUsd;
    rest.set(signal.kind, more);
  }
  for (const [kind, { count, costUsd }] of rest) {
    const what = count === 1 ? '1 more signal of this kind is' : `${count.toLocaleString('en-US')} more signals of this kind are`;
    listed.push({ kind, nodeId: null, message: `${what} not listed: a run lists the first ${MAX_SIGNALS_PER_KIND} of each kind.`, costUsd });
  }
  return listed;
}

/** Where a run's signals go: an event to subscribers and a write to the run's row. */
export type PublishSignals = (signals: RunSignal[]) => void;

interface TurnNodes {
  /** The RLM's latest turn (its model call node). */
  call: number;
  /** The first cell the turn ran, once it has. */
  firstCell: number | null;
}

export class SignalFeed {
  private readonly detector = new RunawaySignals();
  /** Each cell's RLM, from the cell's row: a sub-call knows only its cell. */
  private readonly cellRlm = new Map<number, number>();
  /** Each RLM's current turn: where a repetition signal points. */
  private readonly turns = new Map<number, TurnNodes>();
  private unpublished = false;
  private lastPublished = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;
  private ended = false;

  constructor(
    private readonly publish: PublishSignals,
    private readonly publishMs = PUBLISH_MS,
  ) {}

  /** A node row the recorder committed (`run.nodeAdded`, or `run.nodeUpdated` with its ancestors'). */
  nodeAdded(node: NodeRow): void {
    if (node.kind === 'cell' && node.parentId !== null) {
      this.cellRlm.set(node.id, node.parentId);
      const turn = this.turns.get(node.parentId);
      if (turn && turn.firstCell === null) turn.firstCell = node.id;
    } else if (node.kind === 'llm' && node.purpose === 'turn' && node.parentId !== null) {
      this.turns.set(node.parentId, { call: node.id, firstCell: null });
    }
    this.observe({ type: 'run.nodeAdded', node });
  }

  nodeUpdated(node: NodeRow): void {
    this.observe({ type: 'run.nodeUpdated', node });
  }

  /** A sub-call's node was added under `cellId`, with the prompt it sends (hashed, not kept). */
  subCall(nodeId: number, cellId: number, model: string, prompt: readonly ChatMessage[]): void {
    const rlmId = this.cellRlm.get(cellId);
    if (rlmId === undefined) return; // a sub-call is always under a cell the recorder added first
    this.observe({ type: 'subCall', nodeId, cellId, rlmId, model, prompt });
  }

  /** A node ended, with its whole payload in hand: a cell's code and output, an RLM's answer. */
  nodeEnded(node: NodeRow, payload: { code?: string; output?: string; answer?: string }): void {
    if (node.kind === 'cell' && node.parentId !== null) {
      this.observe({ type: 'cell', nodeId: node.id, rlmId: node.parentId, code: payload.code ?? '', output: payload.output ?? '' });
    } else if (node.kind === 'rlm') {
      this.turns.delete(node.id);
      this.observe({ type: 'rlmAnswered', rlmId: node.id, answer: node.status === 'completed' ? (payload.answer ?? null) : null, stopped: node.status === 'stopped' });
    }
  }

  /**
   * A turn as the run-away guard saw it (rlm.ts): its code (null: none ran) and output. The
   * signal points at the turn's first cell, or at its model call when it ran no code.
   */
  turn(rlmId: number, code: string | null, output: string): void {
    const turn = this.turns.get(rlmId);
    if (!turn) return;
    const nodeId = code === null ? turn.call : (turn.firstCell ?? turn.call);
    this.observe({ type: 'turn', nodeId, rlmId, code, output });
  }

  totals(totals: RunTotals, limits: ForecastLimits): void {
    this.observe({ type: 'totals', totals, at: Date.now(), limits });
  }

  status(status: RunStatus): void {
    this.observe({ type: 'run.statusChanged', status });
  }

  /** The run ended: what still holds (a forecast no longer does), for the run's last record. */
  finish(): RunSignal[] {
    this.detector.observe({ type: 'run.finished' });
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.current();
  }

  current(): RunSignal[] {
    return listedSignals(this.detector.signals());
  }

  private observe(event: SignalInput): void {
    if (this.ended) return;
    if (this.detector.observe(event).length === 0) return;
    this.unpublished = true;
    if (this.timer) return;
    const wait = this.lastPublished + this.publishMs - Date.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
    this.timer.unref();
  }

  private flush(): void {
    if (!this.unpublished || this.ended) return;
    this.unpublished = false;
    this.lastPublished = Date.now();
    this.publish(this.current());
  }
}
