// Answer discarded: the detector fed a run as the engine feeds it (testing/recordedRun.ts).
import { describe, expect, it } from 'vitest';
import { healthyRun, RecordedRun } from '../../testing/recordedRun';

describe('RunawaySignals: answer discarded (heuristic)', () => {
  it('flags a printed answer followed by more sub-calls without it being returned, saying it is a guess', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    const found = run.turn(root, 'print(f"Answer: {best}")', 'Answer: 42');
    run.turn(root, 'check = llm_query("Is 42 right?")', 'yes', ['Is 42 right?', 'Really 42?']);
    expect(run.signals()).toEqual([]);
    run.turn(root, 'check2 = llm_query("Sure?")', 'maybe', ['Sure?']);
    const [signal] = run.signals('answer-discarded');
    expect(signal).toMatchObject({ nodeId: found, seen: { rlmId: root, candidate: '42', subCallsSince: 3, ended: 'running' } });
    // Since the answer: two turn calls ($0.05) and three sub-calls ($0.01).
    expect(signal?.costUsd).toBeCloseTo(0.13, 10);
    expect(signal?.message).toBe('Heuristic: a cell produced what looks like an answer ("42"), then the root RLM made 3 more sub-calls without returning it yet; it has spent $0.130 since.');
  });

  it('withdraws the signal when the answer is returned after all, and keeps it when another is', () => {
    const kept = new RecordedRun();
    const withdrawn = new RecordedRun();
    for (const run of [kept, withdrawn]) {
      const root = run.rlm();
      run.turn(root, 'answer = "Paris"', '');
      run.turn(root, 'more()', 'checked', ['a', 'b', 'c']);
      run.feed({ type: 'rlmAnswered', rlmId: root, answer: run === kept ? 'Lyon' : 'The capital is Paris.' });
    }
    // New at the third sub-call, changed when its cost came in, withdrawn at the answer.
    expect(withdrawn.changes.map((c) => c.change)).toEqual(['new', 'changed', 'withdrawn']);
    expect(withdrawn.signals()).toEqual([]);
    expect(kept.signals('answer-discarded')[0]?.seen).toMatchObject({ candidate: 'Paris', ended: 'other-answer' });
    expect(kept.signals('answer-discarded')[0]?.message).toContain('and returned another answer');
  });

  it('says an RLM that was stopped (by the user, or with the run) was stopped, not that it ended without an answer', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    run.turn(root, 'answer = "Paris"', '');
    run.turn(root, 'more()', 'checked', ['a', 'b', 'c']);
    run.feed({ type: 'rlmAnswered', rlmId: root, answer: null, stopped: true });
    const [signal] = run.signals('answer-discarded');
    expect(signal?.seen).toMatchObject({ candidate: 'Paris', ended: 'stopped' });
    expect(signal?.message).toContain('and was stopped before it returned one');
    expect(signal?.message).not.toContain('without an answer');
  });

  it('stays quiet when the answer is returned at once, and on 1,000 sub-calls over 20 cells', () => {
    const run = new RecordedRun();
    healthyRun(run);
    expect(run.signals('answer-discarded')).toEqual([]);
  });
});
