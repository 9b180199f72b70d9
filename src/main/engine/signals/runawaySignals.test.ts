// The detector as a whole: the detector fed a run as the engine feeds it (testing/recordedRun.ts).
import { describe, expect, it } from 'vitest';
import { RecordedRun, totalsAt } from '../../testing/recordedRun';
import type { ForecastLimits } from './spendForecast';

describe('RunawaySignals: incremental, bounded', () => {
  it('returns only the signals an event made new or changed, and nothing for an event that changed none', () => {
    const run = new RecordedRun();
    const cell = run.cell(run.rlm());
    run.subCall(cell, 'p');
    const before = run.changes.length;
    const copy = run.startCall(cell, 'sub');
    const sent = run.feed({ type: 'subCall', nodeId: copy, cellId: cell, rlmId: 1, model: 'gpt-sub', prompt: [{ role: 'user', content: 'p' }] });
    expect(sent.map((c) => [c.change, c.signal.kind])).toEqual([['new', 'duplicate-subcalls']]);
    // An ancestor's row announced again with nothing new for any signal.
    expect(run.feed({ type: 'run.nodeUpdated', node: run.row(cell) })).toEqual([]);
    run.finishCall(copy, 0.02);
    expect(run.changes.slice(before + 1).map((c) => c.change)).toEqual(['changed']);
    expect(run.signals()).toHaveLength(1);
  });

  it('takes events about nodes it never saw, and a clock that goes back, without a false signal', () => {
    const run = new RecordedRun();
    const orphan = { ...run.row(run.cell(run.rlm())), id: 999, parentId: 998 };
    expect(run.feed({ type: 'run.nodeUpdated', node: { ...orphan, kind: 'rlm' } })).toEqual([]);
    expect(run.feed({ type: 'run.nodeUpdated', node: { ...orphan, kind: 'llm', status: 'completed', costUsd: 1 } })).toEqual([]);
    expect(run.feed({ type: 'rlmAnswered', rlmId: 997, answer: null })).toEqual([]);
    expect(run.feed({ type: 'cell', nodeId: 996, rlmId: 995, code: 'answer = "x"', output: 'Answer: x' })).toEqual([]);
    // A sub-call whose cell row never came is still counted, under that cell.
    expect(run.feed({ type: 'subCall', nodeId: 1000, cellId: 994, rlmId: 1, model: 'm', prompt: 'p' })).toEqual([]);
    const limits: ForecastLimits = { maxCostUsd: 1, maxTokens: 1000, maxIterations: 30 };
    for (const at of [50_000, 40_000, 30_000, 10_000]) run.feed({ type: 'totals', totals: totalsAt((60_000 - at) / 100_000, 60_000 - at), at, limits });
    expect(run.signals()).toEqual([]);
  });

  it('handles 100,000 sub-calls keeping hashes and per-cell counts, not prompts or calls', () => {
    const run = new RecordedRun({ maxPromptKeys: 50_000 });
    const root = run.rlm();
    const cells = Array.from({ length: 20 }, () => run.cell(root));
    const longPrompt = 'Summarise this part of the filing. '.repeat(100);
    for (let k = 0; k < 100_000; k++) {
      // Every fifth call repeats an earlier prompt; the rest are new.
      const prompt = k % 5 === 4 ? `${longPrompt} ${k - 4}` : `${longPrompt} ${k}`;
      run.subCall(cells[k % 20] as number, prompt, 0.0001);
      if (k % 100 === 0) run.feed({ type: 'totals', totals: totalsAt(k * 0.0001), at: k, limits: { maxCostUsd: 1000, maxTokens: null, maxIterations: 30 } });
    }
    const memory = run.detector.memory();
    expect(memory).toMatchObject({ promptKeys: 50_000, runningCopies: 0, cells: 20, rlms: 1, childRlms: 0 });
    expect(memory.samples).toBeLessThanOrEqual(66);
    // Repeats of prompts still remembered are counted (the first 62,500 calls hold the 50,000 kept).
    const duplicates = run.signals('duplicate-subcalls')[0]?.seen;
    expect(duplicates?.kind === 'duplicate-subcalls' && duplicates.copies).toBe(12_500);
    // 5,000 sub-calls in each of 20 cells: past the absolute threshold, each flagged once.
    expect(run.signals('subcall-explosion')).toHaveLength(20);
  }, 120_000);
});
