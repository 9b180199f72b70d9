// Sees a run's wasteful patterns as they happen (issue 13, "Run-away signals"): the same sub-call
// sent again and again, one cell fanning out to thousands of sub-calls, an RLM going round in
// circles, an answer found and then dropped, a budget about to run out. Pure and incremental: the
// engine feeds it each event once, and it says which signals are new, changed or withdrawn.
// This file only routes each event to the signals it concerns (one file each, beside it).
//
// Memory stays bounded by the run's RLMs and cells, never by its sub-calls: a prompt is kept as a
// 48-bit hash (a 100,000-sub-call run keeps no prompt text), a finished sub-call as nothing at all.
import type { ChatMessage, NodeRow } from '../../../shared/domain/node';
import type { RunStatus, RunTotals } from '../../../shared/domain/run';
import type { DetectedSignal, SignalChange } from '../../../shared/domain/signals';
import { SignalBook } from './book';
import { BudgetForecast } from './budget';
import { AnswerDiscarded } from './discarded';
import { DuplicateSubCalls } from './duplicates';
import { SubCallExplosion } from './explosion';
import { Repetition } from './repetition';
import { RlmTable } from './rlms';
import { spendOf } from './spend';
import type { ForecastLimits } from './spendForecast';
import { DEFAULT_THRESHOLDS, type SignalThresholds } from './thresholds';

/**
 * What the detector is fed. The node events are the engine's own (`run.nodeAdded`/`run.nodeUpdated`
 * carry the rows, costs rolled up); the rest are payload facts the engine passes as it has them,
 * so the detector never reads a payload back.
 */
export type SignalInput =
  | { type: 'run.nodeAdded'; node: NodeRow }
  | { type: 'run.nodeUpdated'; node: NodeRow }
  /** A sub-call was sent (before its answer): `prompt` is hashed at once and not kept. */
  | { type: 'subCall'; nodeId: number; cellId: number; rlmId: number; model: string; prompt: string | readonly ChatMessage[] }
  /** A cell finished: its code and what it printed. */
  | { type: 'cell'; nodeId: number; rlmId: number; code: string; output: string }
  /**
   * A turn as the run-away guard sees it: the code of all its blocks (null when the reply had
   * none) and their output (or the reply's prose without code). `nodeId`: its first cell, or its
   * model call when it ran no code.
   */
  | { type: 'turn'; nodeId: number; rlmId: number; code: string | null; output: string }
  /** An RLM ended: the answer it returned, or null without one. */
  | { type: 'rlmAnswered'; rlmId: number; answer: string | null; stopped?: boolean }
  /** The run's totals (`run.totalsChanged`), when (ms) and its limits. */
  | { type: 'totals'; totals: RunTotals; at: number; limits: ForecastLimits }
  | { type: 'run.statusChanged'; status: RunStatus }
  | { type: 'run.finished' };

export class RunawaySignals {
  private readonly book = new SignalBook();
  private readonly rlms = new RlmTable();
  private rootId: number | null = null;
  private readonly duplicates: DuplicateSubCalls;
  private readonly explosion: SubCallExplosion;
  private readonly repetition: Repetition;
  private readonly discarded: AnswerDiscarded;
  private readonly budget: BudgetForecast;

  constructor(thresholds: Partial<SignalThresholds> = {}) {
    const limits = { ...DEFAULT_THRESHOLDS, ...thresholds };
    this.duplicates = new DuplicateSubCalls(this.book, limits.maxPromptKeys);
    this.explosion = new SubCallExplosion(this.book, limits);
    this.repetition = new Repetition(this.book, limits, this.rlms);
    this.discarded = new AnswerDiscarded(this.book, limits, this.rlms);
    this.budget = new BudgetForecast(this.book, limits);
  }

  /** Feeds one event; returns the signals it made new, changed or withdrew. */
  observe(event: SignalInput): SignalChange[] {
    switch (event.type) {
      case 'run.nodeAdded':
        this.nodeAdded(event.node);
        break;
      case 'run.nodeUpdated':
        this.nodeUpdated(event.node);
        break;
      case 'subCall':
        // In this order: a change list reads as the call's effects did.
        this.duplicates.sent(event.nodeId, event.cellId, event.model, event.prompt);
        this.explosion.subCall(event.cellId, event.rlmId);
        this.discarded.subCall(event.cellId, event.rlmId);
        break;
      case 'cell':
        this.discarded.cellRan(event.nodeId, event.rlmId, event.code, event.output);
        break;
      case 'turn':
        this.repetition.turn(event.nodeId, event.rlmId, event.code, event.output);
        break;
      case 'rlmAnswered':
        this.discarded.rlmAnswered(event.rlmId, event.answer, event.stopped);
        break;
      case 'totals':
        this.budget.totals(event.totals, event.at, event.limits);
        break;
      case 'run.statusChanged':
        this.budget.status(event.status);
        break;
      case 'run.finished':
        this.budget.status('finished');
        break;
    }
    return this.book.takeChanges();
  }

  /** The signals that hold now, in the order they first appeared. */
  signals(): DetectedSignal[] {
    return this.book.all();
  }

  /** The sizes of what it keeps, for tests of its memory. */
  memory(): { promptKeys: number; runningCopies: number; cells: number; rlms: number; childRlms: number; samples: number; signals: number } {
    return { ...this.duplicates.memory(), ...this.explosion.memory(), rlms: this.rlms.size, samples: this.budget.samplesKept(), signals: this.book.size };
  }

  private nodeAdded(node: NodeRow): void {
    if (node.kind === 'rlm') {
      this.rlms.added(node);
      if (node.parentId === null) this.rootId = node.id;
      else this.explosion.childAdded(node, node.parentId);
    } else if (node.kind === 'cell' && node.parentId !== null) {
      this.explosion.cellAdded(node, node.parentId);
    } else if (node.kind === 'llm' && node.purpose === 'turn' && node.parentId === this.rootId && node.parentId !== null) {
      this.budget.rootTurn();
    }
  }

  private nodeUpdated(node: NodeRow): void {
    if (node.kind === 'llm') {
      this.duplicates.callUpdated(node);
      return;
    }
    if (node.kind === 'cell') {
      this.explosion.cellUpdated(node);
      return;
    }
    const rlm = this.rlms.get(node.id);
    if (!rlm) return;
    rlm.cost = spendOf(node.subtree);
    this.explosion.rlmSpent(node.id, rlm.cost);
    this.repetition.rlmUpdated(node.id, rlm);
    this.discarded.rlmUpdated(node.id, rlm);
  }
}
