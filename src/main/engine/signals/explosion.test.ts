// Sub-call explosion: the detector fed a run as the engine feeds it (testing/recordedRun.ts).
import { describe, expect, it } from 'vitest';
import { healthyRun, RecordedRun } from '../../testing/recordedRun';
import { EXPLOSION_CHILD_RLMS, EXPLOSION_SUBCALLS } from './index';

describe('RunawaySignals: sub-call explosion', () => {
  it('flags a cell far past the median of the others, with its cost', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    for (let turn = 0; turn < 5; turn++) run.turn(root, `step ${turn}`, `out ${turn}`, Array.from({ length: 10 }, (_, k) => `t${turn} q${k}`));
    const wide = run.cell(root);
    for (let k = 0; k < 101; k++) run.subCall(wide, `line ${k}`, 0.002);
    const [signal] = run.signals('subcall-explosion');
    expect(signal).toMatchObject({ nodeId: wide, seen: { what: 'subcalls', count: 101, medianOfOthers: 10, threshold: 100 } });
    expect(signal?.costUsd).toBeCloseTo(0.202, 10);
    expect(signal?.message).toBe("One cell made 101 sub-calls, over 10× the median of the run's other cells (10); it has cost $0.202 so far.");
  });

  it('flags a cell that stands out only once the others have run, when they end', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    const wide = run.turn(root, 'const notes = await llm_query_batched(lines)', '200 notes', Array.from({ length: 200 }, (_, k) => `line ${k}`));
    expect(run.signals()).toEqual([]);
    for (let turn = 0; turn < 3; turn++) run.turn(root, `step ${turn}`, `out ${turn}`, Array.from({ length: 10 }, (_, k) => `t${turn} q${k}`));
    expect(run.signals('subcall-explosion')[0]).toMatchObject({ nodeId: wide, seen: { count: 200, medianOfOthers: 10 } });
  });

  it('does not flag 100 sub-calls (10× the others, not more)', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    for (let turn = 0; turn < 5; turn++) run.turn(root, `step ${turn}`, `out ${turn}`, Array.from({ length: 10 }, (_, k) => `t${turn} q${k}`));
    const wide = run.cell(root);
    for (let k = 0; k < 100; k++) run.subCall(wide, `line ${k}`);
    expect(run.signals()).toEqual([]);
  });

  it(`flags one cell past ${EXPLOSION_SUBCALLS} sub-calls with no others to compare, at the ${EXPLOSION_SUBCALLS + 1}st`, () => {
    const run = new RecordedRun();
    const cell = run.cell(run.rlm());
    for (let k = 0; k < EXPLOSION_SUBCALLS; k++) run.subCall(cell, `line ${k}`, 0.001);
    expect(run.signals()).toEqual([]);
    const call = run.startCall(cell, 'sub');
    const changes = run.feed({ type: 'subCall', nodeId: call, cellId: cell, rlmId: 1, model: 'gpt-sub', prompt: 'one line more' });
    run.finishCall(call, 0.001);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ change: 'new', signal: { kind: 'subcall-explosion', nodeId: cell, seen: { count: 501, threshold: 500, medianOfOthers: null } } });
    expect(run.signals('subcall-explosion')[0]?.message).toBe('One cell made 501 sub-calls, past 500; it has cost $0.501 so far.');
  });

  it('flags child RLMs past the threshold, at the cell that started most of them, with what they cost', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    const spawner = run.cell(root);
    const other = run.cell(root);
    for (let k = 0; k < EXPLOSION_CHILD_RLMS; k++) {
      const child = run.rlm(k < 40 ? spawner : other);
      run.turnCall(child, 0.01);
    }
    expect(run.signals()).toEqual([]);
    const last = run.rlm(spawner);
    const [signal] = run.signals('subcall-explosion');
    expect(signal).toMatchObject({ nodeId: spawner, seen: { what: 'child-rlms', count: 51, threshold: 50 } });
    expect(signal?.costUsd).toBeCloseTo(0.5, 10);
    expect(signal?.message).toBe('51 child RLMs so far (41 started by one cell), past 50; they have cost $0.500.');
    // A grandchild's cost is in its parent's subtree: counted once.
    const grandchild = run.rlm(run.cell(last));
    run.turnCall(grandchild, 0.1);
    expect(run.signals('subcall-explosion')[0]?.costUsd).toBeCloseTo(0.6, 10);
    expect(run.signals('subcall-explosion')[0]?.seen).toMatchObject({ count: 52 });
  });

  it('stays quiet on one cell batching 400 chunks, and on 1,000 sub-calls over 20 cells', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    run.turn(root, 'const notes = await llm_query_batched(chunks)', '400 notes', Array.from({ length: 400 }, (_, k) => `chunk ${k}`));
    run.turn(root, 'print(notes[0])', 'first note');
    expect(run.changes).toEqual([]);
    const healthy = new RecordedRun();
    healthyRun(healthy);
    expect(healthy.signals('subcall-explosion')).toEqual([]);
  });
});
