// What a run lists of its run-away signals when a run-away makes thousands of them (red-team, issue 13).
import { describe, expect, it } from 'vitest';
import { RecordedRun } from '../testing/recordedRun';
import { listedSignals, MAX_SIGNALS_PER_KIND } from './signalFeed';

/** A root cell fanning out to `children` child RLMs, each running the same code three turns in a row. */
function loopingChildren(children: number): RecordedRun {
  const run = new RecordedRun();
  const root = run.rlm();
  const cell = run.cell(root);
  for (let k = 0; k < children; k++) {
    const child = run.rlm(cell);
    for (let t = 0; t < 3; t++) run.turn(child, 'print(search("x"))', 'no match');
  }
  return run;
}

describe('listedSignals', () => {
  it('lists the first signals of a kind and counts the rest, so 3,000 looping children do not make a 1 MB list', () => {
    const run = loopingChildren(3000);
    expect(run.signals('repetition')).toHaveLength(3000);
    const listed = listedSignals(run.detector.signals());
    const repetition = listed.filter((signal) => signal.kind === 'repetition');
    expect(repetition).toHaveLength(MAX_SIGNALS_PER_KIND + 1);
    expect(repetition.at(-1)).toEqual({
      kind: 'repetition',
      nodeId: null,
      message: `2,980 more signals of this kind are not listed: a run lists the first ${MAX_SIGNALS_PER_KIND} of each kind.`,
      costUsd: expect.closeTo(2980 * 0.1, 6) as number,
    });
    // What is written to the run's row and sent to each page, up to four times a second.
    expect(JSON.stringify(listed).length).toBeLessThan(32 * 1024);
  });

  it('lists every signal of a run with few of them, as the detector has them', () => {
    const run = loopingChildren(3);
    const listed = listedSignals(run.detector.signals());
    expect(listed).toEqual(run.detector.signals().map(({ kind, nodeId, message, costUsd }) => ({ kind, nodeId, message, costUsd })));
    expect(listed.filter((signal) => signal.kind === 'repetition')).toHaveLength(3);
  });
});
