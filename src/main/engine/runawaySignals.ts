// Sees a run's wasteful patterns as they happen (issue 13, "Run-away signals"): the same sub-call
// sent again and again, one cell fanning out to thousands of sub-calls, an RLM going round in
// circles, an answer found and then dropped, a budget about to run out. Pure and incremental: the
// engine feeds it each event once, and it says which signals are new, changed or withdrawn.
//
// Memory stays bounded by the run's RLMs and cells, never by its sub-calls: a prompt is kept as a
// 48-bit hash (a 100,000-sub-call run keeps no prompt text), a finished sub-call as nothing at all.
import { createHash } from 'node:crypto';
import type { ChatMessage, NodeRow, SubtreeTotals } from '../../shared/domain/node';
import type { RunStatus, RunTotals } from '../../shared/domain/run';
import type { DetectedSignal, SignalChange } from '../../shared/domain/signals';
import { usd } from '../../shared/format';
import { answerHolds, answerLike } from './answerCandidate';
import type { ForecastLimits, ForecastThresholds } from './spendForecast';
import { BUDGET_HORIZON_S, BUDGET_MIN_SPAN_MS, BUDGET_MIN_TURNS, BUDGET_WINDOW_MS, SpendForecast } from './spendForecast';

/** One cell past this many sub-calls fans out too far, whatever the others do (the paper's one call per line). */
export const EXPLOSION_SUBCALLS = 500;
/** ...or past this many times the median of the run's other cells that made sub-calls... */
export const EXPLOSION_RATIO = 10;
/** ...when it made more than this many (a batch over 40 chunks is normal work)... */
export const EXPLOSION_MIN_SUBCALLS = 50;
/** ...and at least this many other cells made sub-calls (a median of one or two says little). */
export const EXPLOSION_MIN_PEERS = 3;
/** Child RLMs over the whole run past this many: children that keep spawning. */
export const EXPLOSION_CHILD_RLMS = 50;
/**
 * The same code (or output) this many turns in a row, the first included: the second repeat. The
 * run-away guard (runawayGuard.ts) warns the model at 3 and stops the run at 4, so the signal is
 * there before the run is stopped.
 */
export const REPETITION_TURNS = 3;
/** Sub-calls after a value that looked like an answer before it counts as set aside (re-checking once or twice is fair). */
export const DISCARDED_AFTER_SUBCALLS = 3;
/** Distinct prompts remembered: past this, new prompts are not tracked (a number each: about 50 bytes with its map entry). */
export const MAX_PROMPT_KEYS = 500_000;

export interface SignalThresholds extends ForecastThresholds {
  explosionSubCalls: number;
  explosionRatio: number;
  explosionMinSubCalls: number;
  explosionMinPeers: number;
  explosionChildRlms: number;
  repetitionTurns: number;
  discardedAfterSubCalls: number;
  maxPromptKeys: number;
}

export const DEFAULT_THRESHOLDS: SignalThresholds = {
  explosionSubCalls: EXPLOSION_SUBCALLS,
  explosionRatio: EXPLOSION_RATIO,
  explosionMinSubCalls: EXPLOSION_MIN_SUBCALLS,
  explosionMinPeers: EXPLOSION_MIN_PEERS,
  explosionChildRlms: EXPLOSION_CHILD_RLMS,
  repetitionTurns: REPETITION_TURNS,
  discardedAfterSubCalls: DISCARDED_AFTER_SUBCALLS,
  budgetWindowMs: BUDGET_WINDOW_MS,
  budgetMinSpanMs: BUDGET_MIN_SPAN_MS,
  budgetHorizonS: BUDGET_HORIZON_S,
  budgetMinTurns: BUDGET_MIN_TURNS,
  maxPromptKeys: MAX_PROMPT_KEYS,
};

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
  | { type: 'rlmAnswered'; rlmId: number; answer: string | null }
  /** The run's totals (`run.totalsChanged`), when (ms) and its limits. */
  | { type: 'totals'; totals: RunTotals; at: number; limits: ForecastLimits }
  | { type: 'run.statusChanged'; status: RunStatus }
  | { type: 'run.finished' };

/** The key of a sub-call's (model, prompt): 48 bits of its SHA-1, enough to tell 500,000 prompts apart. */
export function subCallKey(model: string, prompt: string | readonly ChatMessage[]): number {
  const hash = createHash('sha1').update(model);
  // Each message fed as it is (no JSON copy of a long prompt), behind its role and length so no
  // two prompts feed the same bytes.
  if (typeof prompt === 'string') hash.update(`\0user\0${prompt.length}\0`).update(prompt);
  else for (const message of prompt) hash.update(`\0${message.role}\0${message.content.length}\0`).update(message.content);
  return hash.digest().readUIntBE(0, 6);
}

interface Spend {
  priced: number;
  unpriced: number;
}

interface CellState {
  rlmId: number;
  subCalls: number;
  childRlms: number;
  spend: Spend;
  /** When to look again whether it fans out too far: its sub-call count then. */
  nextCheck: number;
}

interface Streak {
  last: number | null;
  turns: number;
  /** The streak's first turn, and the RLM's spend when it ended. */
  nodeId: number;
  spentBefore: Spend;
}

interface Candidate {
  cellId: number;
  text: string;
  subCallsSince: number;
  /** The RLM's spend when the candidate was seen. */
  spentBefore: Spend;
}

interface RlmState {
  /** 0 for the root; null when its row was not seen. */
  depth: number | null;
  cost: Spend;
  code: Streak;
  output: Streak;
  candidate: Candidate | null;
  ended: boolean;
}

export class RunawaySignals {
  private readonly limits: SignalThresholds;
  private readonly current = new Map<string, DetectedSignal>();
  private changes: SignalChange[] = [];

  /** Times each (model, prompt) key was sent. */
  private readonly sends = new Map<number, number>();
  private copies = 0;
  private repeatedPrompts = 0;
  private mostSends = 0;
  private firstCopyCell: number | null = null;
  /** Copies in flight: their cost is added when they end. */
  private readonly runningCopies = new Set<number>();
  private copiesCost = 0;
  private unpricedCopies = 0;
  /** Copies answered without a request (`--dedupe-subcalls`, or a fork's recording): marked cached. */
  private cachedCopies = 0;

  private readonly cells = new Map<number, CellState>();
  private readonly rlms = new Map<number, RlmState>();
  private rootId: number | null = null;
  /** Depth-1 RLMs' spend, and its sum: every child's cost is in one of theirs. */
  private readonly childSpend = new Map<number, Spend>();
  private readonly childTotal: Spend = { priced: 0, unpriced: 0 };
  private childRlms = 0;
  /** The cell that started the most child RLMs. */
  private busiestCell: { id: number; children: number } | null = null;

  private readonly forecast: SpendForecast;
  private running = true;

  constructor(thresholds: Partial<SignalThresholds> = {}) {
    this.limits = { ...DEFAULT_THRESHOLDS, ...thresholds };
    this.forecast = new SpendForecast(this.limits);
  }

  /** Feeds one event; returns the signals it made new, changed or withdrew. */
  observe(event: SignalInput): SignalChange[] {
    this.changes = [];
    switch (event.type) {
      case 'run.nodeAdded':
        this.nodeAdded(event.node);
        break;
      case 'run.nodeUpdated':
        this.nodeUpdated(event.node);
        break;
      case 'subCall':
        this.subCall(event);
        break;
      case 'cell':
        this.cellRan(event.nodeId, event.rlmId, event.code, event.output);
        break;
      case 'turn':
        this.turn(event.nodeId, event.rlmId, event.code, event.output);
        break;
      case 'rlmAnswered':
        this.rlmAnswered(event.rlmId, event.answer);
        break;
      case 'totals':
        this.totals(event.totals, event.at, event.limits);
        break;
      case 'run.statusChanged':
        this.setRunning(event.status === 'running');
        break;
      case 'run.finished':
        this.setRunning(false);
        break;
    }
    return this.changes;
  }

  /** The signals that hold now, in the order they first appeared. */
  signals(): DetectedSignal[] {
    return [...this.current.values()];
  }

  /** The sizes of what it keeps, for tests of its memory. */
  memory(): { promptKeys: number; runningCopies: number; cells: number; rlms: number; childRlms: number; samples: number; signals: number } {
    return {
      promptKeys: this.sends.size,
      runningCopies: this.runningCopies.size,
      cells: this.cells.size,
      rlms: this.rlms.size,
      childRlms: this.childSpend.size,
      samples: this.forecast.samplesKept(),
      signals: this.current.size,
    };
  }

  // --- the tree ---

  private nodeAdded(node: NodeRow): void {
    if (node.kind === 'rlm') {
      this.rlms.set(node.id, { depth: node.depth, cost: spendOf(node.subtree), code: newStreak(), output: newStreak(), candidate: null, ended: false });
      if (node.parentId === null) {
        this.rootId = node.id;
        return;
      }
      if (node.depth === 1) this.childSpent(node.id, spendOf(node.subtree));
      this.childRlms++;
      const cell = this.cells.get(node.parentId);
      if (cell) {
        cell.childRlms++;
        if (cell.childRlms > (this.busiestCell?.children ?? 0)) this.busiestCell = { id: node.parentId, children: cell.childRlms };
      }
      this.checkChildRlms();
    } else if (node.kind === 'cell' && node.parentId !== null) {
      this.cells.set(node.id, { rlmId: node.parentId, subCalls: 0, childRlms: 0, spend: spendOf(node.subtree), nextCheck: 0 });
    } else if (node.kind === 'llm' && node.purpose === 'turn' && node.parentId === this.rootId && node.parentId !== null) {
      this.forecast.rootTurn();
    }
  }

  private nodeUpdated(node: NodeRow): void {
    if (node.kind === 'llm') {
      this.copyUpdated(node);
      return;
    }
    if (node.kind === 'cell') {
      const cell = this.cells.get(node.id);
      if (!cell) return;
      cell.spend = spendOf(node.subtree);
      if (this.current.has(explosionId(node.id))) this.reportExplosion(node.id, cell, null);
      // A cell that ended may now stand out against the others, or the others against it.
      if (node.status !== 'running') this.recheckCells();
      return;
    }
    const rlm = this.rlms.get(node.id);
    if (!rlm) return;
    rlm.cost = spendOf(node.subtree);
    if (this.childSpend.has(node.id)) {
      this.childSpent(node.id, rlm.cost);
      if (this.current.has(CHILDREN_ID)) this.checkChildRlms();
    }
    this.reportRepetition(node.id, rlm);
    this.reportCandidate(node.id, rlm);
  }

  // --- duplicate sub-calls, and fan-out ---

  private subCall(event: Extract<SignalInput, { type: 'subCall' }>): void {
    const key = subCallKey(event.model, event.prompt);
    const before = this.sends.get(key);
    if (before === undefined) {
      if (this.sends.size < this.limits.maxPromptKeys) this.sends.set(key, 1);
    } else {
      this.sends.set(key, before + 1);
      this.copies++;
      if (before === 1) this.repeatedPrompts++;
      this.mostSends = Math.max(this.mostSends, before + 1);
      this.firstCopyCell ??= event.cellId;
      this.runningCopies.add(event.nodeId);
      this.reportDuplicates();
    }
    const cell = this.cells.get(event.cellId) ?? this.addCell(event.cellId, event.rlmId);
    cell.subCalls++;
    if (this.current.has(explosionId(event.cellId))) this.reportExplosion(event.cellId, cell, null);
    else if (cell.subCalls >= cell.nextCheck) this.checkCell(event.cellId, cell);
    const rlm = this.rlms.get(event.rlmId);
    if (rlm?.candidate && event.cellId > rlm.candidate.cellId) {
      rlm.candidate.subCallsSince++;
      this.reportCandidate(event.rlmId, rlm);
    }
  }

  /** A sub-call's cell seen before its row (the engine feeds rows first; this keeps an odd order from losing counts). */
  private addCell(cellId: number, rlmId: number): CellState {
    const cell: CellState = { rlmId, subCalls: 0, childRlms: 0, spend: { priced: 0, unpriced: 0 }, nextCheck: 0 };
    this.cells.set(cellId, cell);
    return cell;
  }

  private copyUpdated(node: NodeRow): void {
    // A call given up on is charged while still running: its cost counts once it has ended.
    if (!this.runningCopies.has(node.id) || node.status === 'running') return;
    this.runningCopies.delete(node.id);
    if (node.cached) this.cachedCopies++;
    else if (node.costUsd !== null) this.copiesCost += node.costUsd;
    else if (node.inputTokens !== null) this.unpricedCopies++;
    this.reportDuplicates();
  }

  private reportDuplicates(): void {
    const running = this.runningCopies.size;
    const costUsd = this.unpricedCopies > 0 || (this.copiesCost === 0 && running > 0) ? null : this.copiesCost;
    const cost = describeSpend({ priced: this.copiesCost, unpriced: this.unpricedCopies });
    const pending = running > 0 ? ` (${running} still running)` : '';
    const copies = `${this.copies} sub-call${plural(this.copies)} repeated an earlier (model, prompt)`;
    const prompts = `${this.repeatedPrompts} prompt${plural(this.repeatedPrompts)} sent more than once, one up to ${this.mostSends} times`;
    const cached = this.cachedCopies;
    const sentences = [`${copies}: ${prompts}.`];
    if (this.copies > cached) sentences.push(`The copies cost ${cost}${pending}: what --dedupe-subcalls would have saved.`);
    if (cached > 0) sentences.push(`${cached} ${cached === 1 ? 'was' : 'were'} answered from the first at no cost.`);
    this.report({
      id: 'duplicate-subcalls',
      kind: 'duplicate-subcalls',
      nodeId: this.firstCopyCell,
      message: sentences.join(' '),
      costUsd,
      seen: {
        kind: 'duplicate-subcalls',
        copies: this.copies,
        repeatedPrompts: this.repeatedPrompts,
        mostSends: this.mostSends,
        copiesRunning: running,
        unpricedCopies: this.unpricedCopies,
        cachedCopies: cached,
        copiesCostUsd: this.copiesCost,
      },
    });
  }

  /** Whether one cell's sub-calls stand out: past the absolute threshold, or far past the others' median. */
  private checkCell(cellId: number, cell: CellState): void {
    const { explosionSubCalls, explosionMinSubCalls, explosionRatio, explosionMinPeers } = this.limits;
    if (cell.subCalls > explosionSubCalls) {
      this.reportExplosion(cellId, cell, null);
      return;
    }
    if (cell.subCalls <= explosionMinSubCalls) {
      cell.nextCheck = explosionMinSubCalls + 1;
      return;
    }
    const others: number[] = [];
    for (const [id, other] of this.cells) if (id !== cellId && other.subCalls > 0) others.push(other.subCalls);
    if (others.length >= explosionMinPeers) {
      const median = medianOf(others);
      if (cell.subCalls > explosionRatio * median) {
        this.reportExplosion(cellId, cell, median);
        return;
      }
      // Look again when it could pass: the others' median moves only as cells are added.
      cell.nextCheck = Math.min(explosionSubCalls + 1, Math.floor(explosionRatio * median) + 1);
      return;
    }
    cell.nextCheck = explosionSubCalls + 1;
  }

  private recheckCells(): void {
    for (const [id, cell] of this.cells) {
      if (cell.subCalls > this.limits.explosionMinSubCalls && !this.current.has(explosionId(id))) {
        cell.nextCheck = 0;
        this.checkCell(id, cell);
      }
    }
  }

  private reportExplosion(cellId: number, cell: CellState, median: number | null): void {
    const previous = this.current.get(explosionId(cellId))?.seen;
    const medianOfOthers = median ?? (previous?.kind === 'subcall-explosion' ? previous.medianOfOthers : null);
    const threshold = medianOfOthers === null ? this.limits.explosionSubCalls : Math.floor(this.limits.explosionRatio * medianOfOthers);
    const against = medianOfOthers === null
      ? `past ${threshold}`
      : `over ${this.limits.explosionRatio}× the median of the run's other cells (${medianOfOthers})`;
    this.report({
      id: explosionId(cellId),
      kind: 'subcall-explosion',
      nodeId: cellId,
      message: `One cell made ${cell.subCalls} sub-calls, ${against}; it has cost ${describeSpend(cell.spend)} so far.`,
      costUsd: costUsdOf(cell.spend),
      seen: { kind: 'subcall-explosion', what: 'subcalls', count: cell.subCalls, threshold, medianOfOthers },
    });
  }

  private checkChildRlms(): void {
    if (this.childRlms <= this.limits.explosionChildRlms) return;
    const busiest = this.busiestCell;
    const from = busiest === null ? '' : ` (${busiest.children} started by one cell)`;
    this.report({
      id: CHILDREN_ID,
      kind: 'subcall-explosion',
      nodeId: busiest?.id ?? null,
      message: `${this.childRlms} child RLMs so far${from}, past ${this.limits.explosionChildRlms}; they have cost ${describeSpend(this.childTotal)}.`,
      costUsd: costUsdOf(this.childTotal),
      seen: { kind: 'subcall-explosion', what: 'child-rlms', count: this.childRlms, threshold: this.limits.explosionChildRlms, medianOfOthers: null },
    });
  }

  /** A depth-1 RLM's spend, kept in the sum by difference (a run of 1,000 children must not add them up per call). */
  private childSpent(rlmId: number, spend: Spend): void {
    const before = this.childSpend.get(rlmId) ?? { priced: 0, unpriced: 0 };
    this.childTotal.priced += spend.priced - before.priced;
    this.childTotal.unpriced += spend.unpriced - before.unpriced;
    this.childSpend.set(rlmId, spend);
  }

  // --- repetition ---

  /** The run-away guard's count (runawayGuard.ts), kept per RLM on hashes. */
  private turn(nodeId: number, rlmId: number, code: string | null, output: string): void {
    const rlm = this.rlmState(rlmId);
    step(rlm.code, code === null ? null : hashOf(code), nodeId, rlm.cost);
    step(rlm.output, output === '' ? null : hashOf(output), nodeId, rlm.cost);
    this.reportRepetition(rlmId, rlm);
  }

  private reportRepetition(rlmId: number, rlm: RlmState): void {
    const streak = rlm.code.turns >= rlm.output.turns ? rlm.code : rlm.output;
    const what = streak === rlm.code ? 'code' : 'output';
    const id = `repetition:${rlmId}`;
    const previous = this.current.get(id);
    // A loop broken stays on record at its longest; a longer one later replaces it.
    if (streak.turns < this.limits.repetitionTurns) return;
    if (previous?.seen.kind === 'repetition' && previous.seen.turns > streak.turns) return;
    const spend = spendSince(rlm.cost, streak.spentBefore);
    const did = what === 'code' ? 'ran the same code' : 'printed the same output';
    this.report({
      id,
      kind: 'repetition',
      nodeId: streak.nodeId,
      message: `${capitalise(rlmName(rlm))} ${did} ${streak.turns} turns in a row; the turns since the first cost ${describeSpend(spend)}. The run-away guard stops the run if it goes on.`,
      costUsd: costUsdOf(spend),
      seen: { kind: 'repetition', rlmId, what, turns: streak.turns },
    });
  }

  // --- answer discarded (heuristic) ---

  private cellRan(cellId: number, rlmId: number, code: string, output: string): void {
    const rlm = this.rlmState(rlmId);
    if (rlm.ended) return;
    // The first candidate that was set aside is the evidence; a newer one replaces it only before that.
    if (rlm.candidate && rlm.candidate.subCallsSince >= this.limits.discardedAfterSubCalls) return;
    const text = answerLike(code, output);
    if (text === null) return;
    rlm.candidate = { cellId, text, subCallsSince: 0, spentBefore: rlm.cost };
  }

  private rlmAnswered(rlmId: number, answer: string | null): void {
    const rlm = this.rlmState(rlmId);
    rlm.ended = true;
    const candidate = rlm.candidate;
    if (!candidate) return;
    const id = `answer-discarded:${rlmId}`;
    if (answer !== null && answerHolds(answer, candidate.text)) {
      rlm.candidate = null;
      this.withdraw(id);
      return;
    }
    this.reportCandidate(rlmId, rlm, answer === null ? 'no-answer' : 'other-answer');
  }

  private reportCandidate(rlmId: number, rlm: RlmState, ended: 'running' | 'other-answer' | 'no-answer' = 'running'): void {
    const candidate = rlm.candidate;
    if (!candidate || candidate.subCallsSince < this.limits.discardedAfterSubCalls) return;
    const id = `answer-discarded:${rlmId}`;
    const previous = this.current.get(id)?.seen;
    const end = ended !== 'running' ? ended : previous?.kind === 'answer-discarded' ? previous.ended : 'running';
    const spend = spendSince(rlm.cost, candidate.spentBefore);
    const then = end === 'running' ? 'without returning it yet' : end === 'no-answer' ? 'and ended without an answer' : 'and returned another answer';
    this.report({
      id,
      kind: 'answer-discarded',
      nodeId: candidate.cellId,
      message:
        `Heuristic: a cell produced what looks like an answer ("${candidate.text}"), then ${rlmName(rlm)} made ${candidate.subCallsSince} more sub-call${plural(candidate.subCallsSince)} ${then}; ` +
        `it has spent ${describeSpend(spend)} since.`,
      costUsd: costUsdOf(spend),
      seen: { kind: 'answer-discarded', rlmId, candidate: candidate.text, subCallsSince: candidate.subCallsSince, ended: end },
    });
  }

  // --- budget forecast ---

  private totals(totals: RunTotals, at: number, limits: ForecastLimits): void {
    if (!this.running) return;
    const forecast = this.forecast.observe(totals, at, limits);
    if (!forecast) {
      this.withdraw(BUDGET_ID);
      return;
    }
    const { limit, secondsLeft, turnsLeft } = forecast;
    this.report({
      id: BUDGET_ID,
      kind: 'budget-forecast',
      nodeId: null,
      message: forecast.message,
      costUsd: totals.costUsd,
      seen: { kind: 'budget-forecast', limit, secondsLeft, turnsLeft },
    });
  }

  private setRunning(running: boolean): void {
    if (running === this.running) return;
    this.running = running;
    // A pause or an end: the forecast no longer holds.
    this.forecast.restart();
    if (!running) this.withdraw(BUDGET_ID);
  }

  // --- bookkeeping ---

  private rlmState(rlmId: number): RlmState {
    let rlm = this.rlms.get(rlmId);
    if (!rlm) {
      rlm = { depth: null, cost: { priced: 0, unpriced: 0 }, code: newStreak(), output: newStreak(), candidate: null, ended: false };
      this.rlms.set(rlmId, rlm);
    }
    return rlm;
  }

  /** Records the signal's state; a change is told when what the user reads (message, node) differs. */
  private report(signal: DetectedSignal): void {
    const previous = this.current.get(signal.id);
    this.current.set(signal.id, signal);
    if (!previous) this.changes.push({ change: 'new', signal });
    else if (previous.message !== signal.message || previous.nodeId !== signal.nodeId) this.changes.push({ change: 'changed', signal });
  }

  private withdraw(id: string): void {
    const previous = this.current.get(id);
    if (!previous) return;
    this.current.delete(id);
    this.changes.push({ change: 'withdrawn', signal: previous });
  }
}

const BUDGET_ID = 'budget-forecast';
const CHILDREN_ID = 'subcall-explosion:children';

function explosionId(cellId: number): string {
  return `subcall-explosion:${cellId}`;
}

function rlmName(rlm: RlmState): string {
  if (rlm.depth === 0) return 'the root RLM';
  return rlm.depth === null ? 'an RLM' : `a child RLM (depth ${rlm.depth})`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function newStreak(): Streak {
  return { last: null, turns: 0, nodeId: 0, spentBefore: { priced: 0, unpriced: 0 } };
}

/** The guard's rule: the same value again adds a turn; another starts over at 1; none (null) at 0. */
function step(streak: Streak, value: number | null, nodeId: number, spent: Spend): void {
  if (value !== null && value === streak.last) {
    streak.turns++;
  } else {
    streak.turns = value === null ? 0 : 1;
    streak.nodeId = nodeId;
    streak.spentBefore = spent;
  }
  streak.last = value;
}

function hashOf(text: string): number {
  return createHash('sha1').update(text).digest().readUIntBE(0, 6);
}

function spendOf(subtree: SubtreeTotals): Spend {
  return { priced: subtree.pricedCostUsd, unpriced: subtree.unpricedCalls };
}

/** What was spent between two readings of one node's subtree. */
function spendSince(now: Spend, before: Spend): Spend {
  return { priced: now.priced - before.priced, unpriced: now.unpriced - before.unpriced };
}

/** USD, or null when some call had no known price (as RunTotals.costUsd). */
function costUsdOf(spend: Spend): number | null {
  return spend.unpriced > 0 ? null : spend.priced;
}

function describeSpend(spend: Spend): string {
  const priced = usd(spend.priced);
  return spend.unpriced > 0 ? `${priced} and ${spend.unpriced} call${plural(spend.unpriced)} of unknown price` : priced;
}

function medianOf(values: number[]): number {
  const sorted = values.sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}
