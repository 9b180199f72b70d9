// Repetition: an RLM running the same code, or printing the same output, turn after turn — the
// run-away guard's count (runawayGuard.ts) kept per RLM on hashes, made visible before the guard
// stops the run. A loop broken stays on record at its longest; a longer one later replaces it.
import type { SignalBook } from './book';
import { rlmName, type RlmInfo, type RlmTable } from './rlms';
import { capitalise, costUsdOf, describeSpend, hashOf, noSpend, spendSince, type Spend } from './spend';
import type { SignalThresholds } from './thresholds';

interface Streak {
  last: number | null;
  turns: number;
  /** The streak's first turn, and the RLM's spend when it began. */
  nodeId: number;
  spentBefore: Spend;
}

interface Streaks {
  code: Streak;
  output: Streak;
}

export class Repetition {
  private readonly streaks = new Map<number, Streaks>();

  constructor(
    private readonly book: SignalBook,
    private readonly limits: SignalThresholds,
    private readonly rlms: RlmTable,
  ) {}

  /** A turn as the guard sees it: the code of its blocks (null: none) and their output. */
  turn(nodeId: number, rlmId: number, code: string | null, output: string): void {
    const rlm = this.rlms.ensure(rlmId);
    let streaks = this.streaks.get(rlmId);
    if (!streaks) {
      streaks = { code: newStreak(), output: newStreak() };
      this.streaks.set(rlmId, streaks);
    }
    step(streaks.code, code === null ? null : hashOf(code), nodeId, rlm.cost);
    step(streaks.output, output === '' ? null : hashOf(output), nodeId, rlm.cost);
    this.report(rlmId, rlm, streaks);
  }

  /** The RLM's spend changed: a signal standing says what the loop has cost so far. */
  rlmUpdated(rlmId: number, rlm: RlmInfo): void {
    const streaks = this.streaks.get(rlmId);
    if (streaks) this.report(rlmId, rlm, streaks);
  }

  private report(rlmId: number, rlm: RlmInfo, { code, output }: Streaks): void {
    const streak = code.turns >= output.turns ? code : output;
    const what = streak === code ? 'code' : 'output';
    const id = `repetition:${rlmId}`;
    const previous = this.book.get(id);
    if (streak.turns < this.limits.repetitionTurns) return;
    if (previous?.seen.kind === 'repetition' && previous.seen.turns > streak.turns) return;
    const spend = spendSince(rlm.cost, streak.spentBefore);
    const did = what === 'code' ? 'ran the same code' : 'printed the same output';
    this.book.report({
      id,
      kind: 'repetition',
      nodeId: streak.nodeId,
      message: `${capitalise(rlmName(rlm))} ${did} ${streak.turns} turns in a row; the turns since the first cost ${describeSpend(spend)}. The run-away guard stops the run if it goes on.`,
      costUsd: costUsdOf(spend),
      seen: { kind: 'repetition', rlmId, what, turns: streak.turns },
    });
  }
}

function newStreak(): Streak {
  return { last: null, turns: 0, nodeId: 0, spentBefore: noSpend() };
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
