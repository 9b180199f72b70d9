// Duplicate sub-calls: the detector fed a run as the engine feeds it (testing/recordedRun.ts).
import { describe, expect, it } from 'vitest';
import type { DetectedSignal } from '../../../shared/domain/signals';
import { toRunSignal } from '../../../shared/domain/signals';
import { healthyRun, RecordedRun } from '../../testing/recordedRun';

describe('RunawaySignals: duplicate sub-calls', () => {
  it('counts the copies of a (model, prompt), what they cost, and points at the first copy\'s cell', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    run.turn(root, 'a', 'x', ['What is in chunk 1?', 'What is in chunk 2?']);
    const second = run.turn(root, 'b', 'y', ['What is in chunk 1?', 'What is in chunk 3?']);
    run.turn(root, 'c', 'z', ['What is in chunk 1?', 'What is in chunk 2?']);
    const [signal] = run.signals('duplicate-subcalls');
    expect(signal).toMatchObject({
      nodeId: second,
      seen: { copies: 3, repeatedPrompts: 2, mostSends: 3, copiesRunning: 0, unpricedCopies: 0 },
    });
    expect(signal?.costUsd).toBeCloseTo(0.03, 10);
    expect(signal?.message).toBe(
      '3 sub-calls repeated an earlier (model, prompt): 2 prompts sent more than once, one up to 3 times. The copies cost $0.0300: what --dedupe-subcalls would have saved.',
    );
    expect(toRunSignal(signal as DetectedSignal)).toEqual({ kind: 'duplicate-subcalls', nodeId: second, message: signal?.message, costUsd: signal?.costUsd });
  });

  it('tells the same prompt to another model apart', () => {
    const run = new RecordedRun();
    const cell = run.cell(run.rlm());
    run.subCall(cell, 'Is this a contract?', 0.01, { model: 'gpt-small' });
    run.subCall(cell, 'Is this a contract?', 0.01, { model: 'gpt-large' });
    expect(run.signals()).toEqual([]);
  });

  it('says a copy in flight is not priced yet, and a copy without a price is unknown', () => {
    const run = new RecordedRun();
    const cell = run.cell(run.rlm());
    run.subCall(cell, 'p');
    const copy = run.subCall(cell, 'p', null, { inFlight: true });
    expect(run.signals('duplicate-subcalls')[0]).toMatchObject({ costUsd: null, seen: { copiesRunning: 1 } });
    expect(run.signals('duplicate-subcalls')[0]?.message).toContain('(1 still running)');
    run.finishCall(copy, null);
    const [signal] = run.signals('duplicate-subcalls');
    expect(signal).toMatchObject({ costUsd: null, seen: { copiesRunning: 0, unpricedCopies: 1 } });
    expect(signal?.message).toContain('The copies cost $0.00 and 1 call of unknown price');
  });

  it('says copies answered from the first (deduplicated) cost nothing', () => {
    const run = new RecordedRun();
    const cell = run.cell(run.rlm());
    run.subCall(cell, 'Vote: is clause 4 void?');
    for (let k = 0; k < 2; k++) {
      const copy = run.subCall(cell, 'Vote: is clause 4 void?', null, { inFlight: true });
      Object.assign(run.row(copy), { cached: true, status: 'completed' });
      run.feed({ type: 'run.nodeUpdated', node: run.row(copy) });
    }
    const [signal] = run.signals('duplicate-subcalls');
    expect(signal).toMatchObject({ costUsd: 0, seen: { copies: 2, cachedCopies: 2, copiesRunning: 0, unpricedCopies: 0 } });
    expect(signal?.message).toBe('2 sub-calls repeated an earlier (model, prompt): 1 prompt sent more than once, one up to 3 times. 2 were answered from the first at no cost.');
  });

  it('stays quiet on 1,000 distinct sub-calls over 20 cells, an answer returned', () => {
    const run = new RecordedRun();
    healthyRun(run);
    expect(run.changes).toEqual([]);
  });
});
