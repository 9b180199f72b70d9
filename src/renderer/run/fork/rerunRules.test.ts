import { describe, expect, it } from 'vitest';
import { rerunDraftFrom, rerunOffer, rerunRequest, type RerunDraft } from './rerunRules';

const ended = { origin: 'native', status: 'completed', replayable: true, replayableWhy: null } as const;
type Settings = Parameters<typeof rerunDraftFrom>[0];
const run: Settings = { rootModel: 'gpt-5', subModel: 'gpt-5-mini', limits: { maxCostUsd: 2.5, maxIterations: 30 } };
const noCap: Settings = { ...run, limits: { maxCostUsd: null, maxIterations: 30 } };
const draft = (change: Partial<RerunDraft> = {}, of = run) => ({ ...rerunDraftFrom(of), ...change });

describe('rerun with other settings: when it is offered', () => {
  it('is offered on a native run that has ended, whatever way it ended', () => {
    for (const status of ['completed', 'failed', 'stopped', 'interrupted'] as const) {
      expect(rerunOffer({ ...ended, status })).toMatchObject({ shown: true, enabled: true });
    }
  });

  it('is disabled, saying why, while the run goes or when its recording is incomplete', () => {
    const going = rerunOffer({ ...ended, status: 'running' });
    expect(going).toMatchObject({ shown: true, enabled: false });
    expect(going.shown && going.title).toMatch(/still going/);
    expect(rerunOffer({ ...ended, status: 'paused' })).toMatchObject({ enabled: false });
    const old = rerunOffer({ ...ended, replayable: false, replayableWhy: 'recorded before exact replay' });
    expect(old).toMatchObject({ enabled: false });
    expect(old.shown && old.title).toContain('recorded before exact replay');
  });

  it('is never offered on an imported run', () => {
    expect(rerunOffer({ ...ended, origin: 'imported' })).toEqual({ shown: false });
  });
});

describe('rerun with other settings: what it sends', () => {
  it("prefills the run's settings; an absent cost limit is an empty field", () => {
    expect(rerunDraftFrom(run)).toEqual({ rootModel: 'gpt-5', subModel: 'gpt-5-mini', maxCostUsd: '2.5', maxIterations: '30', dedupeSubcalls: false });
    expect(rerunDraftFrom({ ...run, dedupeSubcalls: true }).dedupeSubcalls).toBe(true);
    expect(rerunDraftFrom(noCap).maxCostUsd).toBe('');
  });

  it('sends nothing but the run id when nothing changed (the rerun would replay the recording)', () => {
    expect(rerunRequest(run, draft())).toEqual({ ok: true, params: {}, changed: 0 });
    // The same values typed differently are no change.
    expect(rerunRequest(run, draft({ rootModel: '  gpt-5 ', maxCostUsd: '$2.50', maxIterations: '30.0' }))).toEqual({ ok: true, params: {}, changed: 0 });
    expect(rerunRequest(noCap, draft({}, noCap))).toEqual({ ok: true, params: {}, changed: 0 });
  });

  it('sends only the fields that changed', () => {
    expect(rerunRequest(run, draft({ rootModel: 'gpt-5-mini' }))).toEqual({ ok: true, params: { rootModel: 'gpt-5-mini' }, changed: 1 });
    expect(rerunRequest(run, draft({ subModel: ' other ' }))).toEqual({ ok: true, params: { subModel: 'other' }, changed: 1 });
    expect(rerunRequest(run, draft({ maxIterations: '5' }))).toEqual({ ok: true, params: { limits: { maxIterations: 5 } }, changed: 1 });
    expect(rerunRequest(run, draft({ rootModel: 'a', subModel: 'b', maxCostUsd: '0.1', maxIterations: '3' }))).toEqual({
      ok: true,
      params: { rootModel: 'a', subModel: 'b', limits: { maxCostUsd: 0.1, maxIterations: 3 } },
      changed: 4,
    });
  });

  it('lifts a cost limit when its field is emptied, and sets one where there was none', () => {
    expect(rerunRequest(run, draft({ maxCostUsd: '  ' }))).toEqual({ ok: true, params: { limits: { maxCostUsd: null } }, changed: 1 });
    expect(rerunRequest(noCap, draft({ maxCostUsd: '0.25' }, noCap))).toEqual({ ok: true, params: { limits: { maxCostUsd: 0.25 } }, changed: 1 });
  });

  it('refuses, field by field, what the service would refuse', () => {
    const refused = rerunRequest(run, draft({ rootModel: ' ', subModel: 'x'.repeat(201), maxCostUsd: '0', maxIterations: '' }));
    expect(refused).toEqual({
      ok: false,
      errors: { rootModel: 'enter a model name', subModel: 'at most 200 characters', maxCostUsd: expect.stringMatching(/positive/), maxIterations: 'required' },
    });
    for (const cost of ['-1', 'abc', 'NaN', '1,5']) expect(rerunRequest(run, draft({ maxCostUsd: cost }))).toMatchObject({ ok: false, errors: { maxCostUsd: expect.stringMatching(/positive/) } });
    expect(rerunRequest(run, draft({ maxCostUsd: '1e400' }))).toMatchObject({ ok: false, errors: { maxCostUsd: 'at most 1,000,000' } });
    for (const n of ['0', '1.5', '10001', 'ten', 'Infinity']) expect(rerunRequest(run, draft({ maxIterations: n }))).toMatchObject({ ok: false, errors: { maxIterations: expect.any(String) } });
    // One bad field holds back the whole request, the good changes included.
    expect(rerunRequest(run, draft({ rootModel: 'other', maxIterations: '0' }))).toMatchObject({ ok: false });
  });

  it('sends the dedupe setting only when it differs from the run\'s own, both ways', () => {
    expect(rerunRequest(run, draft({ dedupeSubcalls: true }))).toEqual({ ok: true, params: { dedupeSubcalls: true }, changed: 1 });
    const deduped = { ...run, dedupeSubcalls: true };
    expect(rerunRequest(deduped, draft({}, deduped))).toEqual({ ok: true, params: {}, changed: 0 });
    expect(rerunRequest(deduped, draft({ dedupeSubcalls: false }, deduped))).toEqual({ ok: true, params: { dedupeSubcalls: false }, changed: 1 });
  });
});
