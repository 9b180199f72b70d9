// Answer discarded (a heuristic, and its message says so): a cell produced a value that looks
// like an answer (answerCandidate.ts), then the RLM went on making sub-calls without returning
// it. Withdrawn when the RLM returns an answer that holds it.
import type { SignalBook } from './book';
import { answerHolds, answerLike } from './answerCandidate';
import { rlmName, type RlmInfo, type RlmTable } from './rlms';
import { costUsdOf, describeSpend, plural, spendSince, type Spend } from './spend';
import type { SignalThresholds } from './thresholds';

interface Candidate {
  cellId: number;
  text: string;
  subCallsSince: number;
  /** The RLM's spend when the candidate was seen. */
  spentBefore: Spend;
}

interface RlmAnswer {
  candidate: Candidate | null;
  ended: boolean;
}

type Ending = 'running' | 'other-answer' | 'no-answer' | 'stopped';

export class AnswerDiscarded {
  private readonly answers = new Map<number, RlmAnswer>();

  constructor(
    private readonly book: SignalBook,
    private readonly limits: SignalThresholds,
    private readonly rlms: RlmTable,
  ) {}

  /** A cell finished: its code or output may hold a candidate answer. */
  cellRan(cellId: number, rlmId: number, code: string, output: string): void {
    const rlm = this.rlms.ensure(rlmId);
    const state = this.stateOf(rlmId);
    if (state.ended) return;
    // The first candidate that was set aside is the evidence; a newer one replaces it only before that.
    if (state.candidate && state.candidate.subCallsSince >= this.limits.discardedAfterSubCalls) return;
    const text = answerLike(code, output);
    if (text === null) return;
    state.candidate = { cellId, text, subCallsSince: 0, spentBefore: rlm.cost };
  }

  /** A sub-call from a cell after the candidate's counts against it. */
  subCall(cellId: number, rlmId: number): void {
    const state = this.answers.get(rlmId);
    const rlm = this.rlms.get(rlmId);
    if (!rlm || !state?.candidate || cellId <= state.candidate.cellId) return;
    state.candidate.subCallsSince++;
    this.report(rlmId, rlm, state);
  }

  /** `stopped`: it ended stopped (by the user, or with the run), not by the model's choice. */
  rlmAnswered(rlmId: number, answer: string | null, stopped = false): void {
    const rlm = this.rlms.ensure(rlmId);
    const state = this.stateOf(rlmId);
    state.ended = true;
    const candidate = state.candidate;
    if (!candidate) return;
    if (answer !== null && answerHolds(answer, candidate.text)) {
      state.candidate = null;
      this.book.withdraw(idOf(rlmId));
      return;
    }
    this.report(rlmId, rlm, state, stopped ? 'stopped' : answer === null ? 'no-answer' : 'other-answer');
  }

  /** The RLM's spend changed: a signal standing says what it has spent since. */
  rlmUpdated(rlmId: number, rlm: RlmInfo): void {
    const state = this.answers.get(rlmId);
    if (state) this.report(rlmId, rlm, state);
  }

  private stateOf(rlmId: number): RlmAnswer {
    let state = this.answers.get(rlmId);
    if (!state) {
      state = { candidate: null, ended: false };
      this.answers.set(rlmId, state);
    }
    return state;
  }

  private report(rlmId: number, rlm: RlmInfo, { candidate }: RlmAnswer, ended: Ending = 'running'): void {
    if (!candidate || candidate.subCallsSince < this.limits.discardedAfterSubCalls) return;
    const id = idOf(rlmId);
    const previous = this.book.get(id)?.seen;
    const end = ended !== 'running' ? ended : previous?.kind === 'answer-discarded' ? previous.ended : 'running';
    const spend = spendSince(rlm.cost, candidate.spentBefore);
    const then =
      end === 'running' ? 'without returning it yet' : end === 'no-answer' ? 'and ended without an answer' : end === 'stopped' ? 'and was stopped before it returned one' : 'and returned another answer';
    this.book.report({
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
}

function idOf(rlmId: number): string {
  return `answer-discarded:${rlmId}`;
}
