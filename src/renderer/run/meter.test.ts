import { describe, expect, it } from 'vitest';
import { elapsedMs, meterItems, meterLevel } from './meter';
import { runDetail } from '../testing/nodeFixtures';

describe('the live meter', () => {
  it('grades use against a limit', () => {
    expect(meterLevel(5, null)).toEqual({ fraction: null, level: 'ok' });
    expect(meterLevel(5, 10)).toEqual({ fraction: 0.5, level: 'ok' });
    expect(meterLevel(8, 10)).toEqual({ fraction: 0.8, level: 'near' });
    expect(meterLevel(12, 10)).toEqual({ fraction: 1, level: 'over' });
  });

  it('shows each number against its limit, and an unknown price as unknown', () => {
    const run = runDetail({
      costUsd: null,
      pricedCostUsd: 0.9,
      unpricedCalls: 2,
      inputTokens: 900,
      outputTokens: 100,
      modelCalls: 950,
      limits: { ...runDetail().limits, maxCostUsd: 1, maxTokens: null, maxCalls: 1000, maxSeconds: 60 },
    });
    const [cost, tokens, calls, time] = meterItems(run, 31_000);
    expect(cost).toMatchObject({ value: '≥ $0.900', limit: '$1.00', level: 'near', note: '2 unpriced' });
    expect(meterItems(runDetail({ costUsd: null, pricedCostUsd: 0, unpricedCalls: 1 }), 0)[0]?.value).toBe('unknown');
    expect(meterItems(runDetail({ costUsd: 0 }), 0)[0]?.value).toBe('$0.00');
    expect(tokens).toMatchObject({ value: '1.00k', limit: null, fraction: null });
    expect(calls).toMatchObject({ value: '950', limit: '1000', level: 'near' });
    expect(time).toMatchObject({ value: '30.0 s', limit: '1 min 0 s', fraction: 0.5 });
  });

  it("notes a fork's calls served from the cache beside the calls, which count live calls only", () => {
    const calls = meterItems(runDetail({ modelCalls: 2, cachedCalls: 5 }), 0)[2];
    expect(calls).toMatchObject({ label: 'Calls', value: '2', note: '5 from cache' });
    expect(calls?.noteTitle).toMatch(/--dedupe-subcalls/);
    // A fork's: from its parent's recording, and by identical sub-calls only when it deduplicated too.
    const fork = { forkedFrom: { runId: 'parent', nodeId: null } };
    expect(meterItems(runDetail({ ...fork, cachedCalls: 5 }), 0)[2]?.noteTitle).toBe('Calls answered without a request: from the recording of the run this was forked from; no cost');
    expect(meterItems(runDetail({ ...fork, cachedCalls: 5, dedupeSubcalls: true }), 0)[2]?.noteTitle).toMatch(/recording .*, or repeated sub-calls .*--dedupe-subcalls/);
    expect(meterItems(runDetail({ modelCalls: 2, cachedCalls: 0 }), 0)[2]?.note).toBeUndefined();
    expect(meterItems(runDetail({ modelCalls: 2 }), 0)[2]?.note).toBeUndefined();
  });

  it('shows an imported run against no limits: it never ran under them here', () => {
    const run = runDetail({ origin: 'imported', source: 'log.jsonl', modelCalls: 950, limits: { ...runDetail().limits, maxCalls: 1000, maxSeconds: 60 } });
    for (const item of meterItems(run, 0)) expect(item).toMatchObject({ limit: null, fraction: null, level: 'ok' });
  });

  it('says tokens are unknown, not 0, when no call of the run has a known count', () => {
    const tokens = (over: Partial<ReturnType<typeof runDetail>>) => meterItems(runDetail({ origin: 'imported', source: 'log.jsonl', ...over }), 0).find((item) => item.label === 'Tokens')?.value;
    expect(tokens({ modelCalls: 4, inputTokens: 0, outputTokens: 0 })).toBe('unknown');
    expect(tokens({ modelCalls: 0, inputTokens: 0, outputTokens: 0 })).toBe('0');
    expect(tokens({ modelCalls: 4, inputTokens: 1200, outputTokens: 0 })).toBe('1.20k');
  });

  it('counts wall time while running and the duration once ended', () => {
    expect(elapsedMs(runDetail({ createdAt: 1000 }), 4000)).toBe(3000);
    expect(elapsedMs(runDetail({ createdAt: 1000, endedAt: 2500, durationMs: 1500 }), 99_000)).toBe(1500);
  });
});
