// Repetition: the detector fed a run as the engine feeds it (testing/recordedRun.ts).
import { describe, expect, it } from 'vitest';
import { RecordedRun } from '../../testing/recordedRun';
import { RunawayGuard } from '../runawayGuard';

describe('RunawaySignals: repetition', () => {
  it('appears at the second repeat of the same code, before the guard would stop the run, and grows', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    run.turn(root, 'print(len(context))', '1000');
    const first = run.turn(root, 'search("x")', 'no match');
    run.turn(root, 'search("x")', 'no match');
    expect(run.signals()).toEqual([]);
    run.turn(root, 'search("x")', 'no match');
    const [signal] = run.signals('repetition');
    expect(signal).toMatchObject({ nodeId: first, seen: { rlmId: root, what: 'code', turns: 3 } });
    // The two repeats: each a turn call ($0.05).
    expect(signal?.costUsd).toBeCloseTo(0.1, 10);
    expect(signal?.message).toBe('The root RLM ran the same code 3 turns in a row; the turns since the first cost $0.100. The run-away guard stops the run if it goes on.');
    run.turn(root, 'search("x")', 'no match');
    expect(run.changes.at(-1)).toMatchObject({ change: 'changed', signal: { seen: { turns: 4 } } });
  });

  it('is there when the run-away guard warns the model, a turn before it stops the run', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    const guard = new RunawayGuard(3);
    const verdicts: string[] = [];
    for (let k = 0; k < 4; k++) {
      run.turn(root, 'print(find("needle"))', 'None');
      const verdict = guard.observe('print(find("needle"))', 'None').action;
      verdicts.push(`${verdict}:${run.signals('repetition').length}`);
    }
    expect(verdicts).toEqual(['ok:0', 'ok:0', 'warn:1', 'stop:1']);
  });

  it('counts the same output from different code, and keeps the longest loop once broken', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    for (const code of ['a()', 'b()', 'c()', 'd()']) run.turn(root, code, 'Error: not found');
    run.turn(root, 'e()', 'found it');
    for (const code of ['f()', 'g()', 'h()']) run.turn(root, code, 'same again');
    expect(run.signals('repetition')).toHaveLength(1);
    expect(run.signals('repetition')[0]?.seen).toEqual({ kind: 'repetition', rlmId: root, what: 'output', turns: 4 });
  });

  it('prices the loop by its own calls: an unpriced call before it leaves its cost known', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    run.turnCall(root, null);
    for (let k = 0; k < 3; k++) run.turn(root, 'retry()', 'timeout');
    expect(run.signals('repetition')[0]?.costUsd).toBeCloseTo(0.1, 10);
    run.turnCall(root, null);
    run.turn(root, 'retry()', 'timeout');
    const [signal] = run.signals('repetition');
    expect(signal?.costUsd).toBeNull();
    expect(signal?.message).toContain('$0.150 and 1 call of unknown price');
  });

  it('keeps each RLM apart', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    const child = run.rlm(run.cell(root));
    for (let k = 0; k < 3; k++) {
      run.turn(root, 'same()', `root ${k}`);
      run.turn(child, `child ${k}`, 'same');
    }
    expect(run.signals('repetition')[1]?.message).toMatch(/^A child RLM \(depth 1\) printed the same output 3 turns in a row/);
    expect(run.signals('repetition').map((s) => [s.seen.kind === 'repetition' && s.seen.rlmId, s.seen.kind === 'repetition' && s.seen.what])).toEqual([
      [root, 'code'],
      [child, 'output'],
    ]);
  });

  it('stays quiet on varied code, on silent cells, and on 1,000 sub-calls over 20 cells', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    for (let k = 0; k < 30; k++) run.turn(root, `const v${k} = ${k}`, '');
    expect(run.changes).toEqual([]);
  });
});
