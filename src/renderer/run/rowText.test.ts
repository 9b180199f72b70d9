import { describe, expect, it } from 'vitest';
import { cachedWhy, costText, kindTag, shownStatus, timeText, tokensText } from './rowText';
import { node } from '../testing/nodeFixtures';

const sub = (patch = {}) => node(2, 1, 0, { kind: 'llm', purpose: 'sub', inputTokens: 1200, outputTokens: 80, ...patch });

describe('row text', () => {
  it('names the kind of node', () => {
    expect(kindTag(node(1, null)).tag).toBe('RLM');
    expect(kindTag(sub()).tag).toBe('LLM sub');
    expect(kindTag(node(2, 1, 0, { kind: 'llm', purpose: 'turn' })).tag).toBe('LLM turn');
    expect(kindTag(node(2, 1, 0, { kind: 'cell' })).tag).toBe('cell');
  });

  it("shows a call's tokens, flagging estimates, and a parent's rolled-up tokens", () => {
    expect(tokensText(sub())).toBe('1.20k→80');
    expect(tokensText(sub({ usageEstimated: true }))).toBe('~1.20k→80');
    expect(tokensText(sub({ inputTokens: null, outputTokens: null }))).toBeNull();
    // An imported call the log gives no counts for: unknown, never 0.
    expect(tokensText(sub({ inputTokens: null, outputTokens: null, usageEstimated: true }))).toBe('?→?');
    expect(tokensText(sub({ inputTokens: 1200, outputTokens: null, usageEstimated: true }))).toBe('1.20k→?');
    const parent = node(1, null, 0, { subtree: { pricedCostUsd: 0, unpricedCalls: 0, inputTokens: 5000, outputTokens: 20, modelCalls: 3 } });
    expect(tokensText(parent)).toBe('5.00k→20');
    const unknownBelow = node(1, null, 0, { subtree: { pricedCostUsd: 0, unpricedCalls: 3, inputTokens: 0, outputTokens: 0, modelCalls: 3 } });
    expect(tokensText(unknownBelow)).toBe('?→?');
  });

  it('never shows an unknown price as $0', () => {
    expect(costText(sub({ costUsd: 0.0021 }))?.text).toBe('$0.00210');
    // Far below a cent: the same three significant digits, still not $0.
    expect(costText(sub({ costUsd: 0.0000213 }))?.text).toBe('$0.0000213');
    expect(costText(sub({ costUsd: 0 }))?.text).toBe('$0.00');
    expect(costText(sub({ costUsd: null }))).toMatchObject({ text: 'unknown', unknown: true });
    expect(costText(sub({ costUsd: null, status: 'running', inputTokens: null, outputTokens: null }))).toBeNull();
    // A call that failed before any usage counts in no total: a dash, neither $0 nor unknown.
    expect(costText(sub({ costUsd: null, status: 'failed', inputTokens: null, outputTokens: null }))).toMatchObject({ text: '—', unknown: false });
    expect(costText(sub({ costUsd: null, status: 'failed', inputTokens: 10, outputTokens: 0 }))).toMatchObject({ text: 'unknown', unknown: true });
    // A failed imported call of unknown usage did cost something: unknown, not a dash.
    expect(costText(sub({ costUsd: null, status: 'failed', inputTokens: null, outputTokens: null, usageEstimated: true }))).toMatchObject({ text: 'unknown', unknown: true });
    const partly = node(1, null, 0, { subtree: { pricedCostUsd: 0.5, unpricedCalls: 2, inputTokens: 1, outputTokens: 1, modelCalls: 5 } });
    expect(costText(partly)).toMatchObject({ text: '≥ $0.500', unknown: true });
    expect(costText(partly)?.full).toContain('2 unpriced calls');
    const none = node(1, null, 0, { subtree: { pricedCostUsd: 0, unpricedCalls: 5, inputTokens: 1, outputTokens: 1, modelCalls: 5 } });
    expect(costText(none)?.text).toBe('unknown');
    const priced = node(1, null, 0, { subtree: { pricedCostUsd: 0.25, unpricedCalls: 0, inputTokens: 1, outputTokens: 1, modelCalls: 5 } });
    expect(costText(priced)?.text).toBe('$0.250');
    expect(costText(node(1, null))).toBeNull();
    const dear = node(1, null, 0, { subtree: { pricedCostUsd: 15.03561, unpricedCalls: 0, inputTokens: 1, outputTokens: 1, modelCalls: 5 } });
    expect(costText(dear)).toMatchObject({ text: '$15.04' });
    // The tooltip follows the same rule as the row: one precision everywhere.
    expect(costText(dear)?.full).toBe('$15.04 for 5 calls below');
  });

  it("shows a fork's cached call as no tokens and no cost, never as unknown", () => {
    // As the store writes it: no tokens, no price, counted as no call.
    const cached = sub({ inputTokens: null, outputTokens: null, costUsd: null, cached: true });
    expect(tokensText(cached)).toBeNull();
    expect(costText(cached)).toMatchObject({ text: '—', unknown: false });
    expect(costText(cached)?.full).toMatch(/recording .*, or by an identical earlier sub-call .*: no request, no cost/);
    // Once its payload is read, the detail says which way it was answered.
    expect(cachedWhy({})).toBe('answered from the recording of the run this was forked from: no request, no cost');
    expect(cachedWhy({ dedupeOf: 7 })).toBe('answered by the identical sub-call at node 7 (--dedupe-subcalls): no request, no cost');
    expect(cachedWhy(null)).toMatch(/^answered from the recording .*, or by an identical earlier sub-call/);
    // Even one whose flags say "usage unknown" (an estimate with no counts) stays cached, not ?→?.
    const flagged = sub({ inputTokens: null, outputTokens: null, costUsd: null, usageEstimated: true, cached: true });
    expect(tokensText(flagged)).toBeNull();
    expect(costText(flagged)?.unknown).toBe(false);
    // A fork's edited turn: the user's reply, never sent, so no usage and no cost — not unknown.
    expect(costText(sub({ inputTokens: null, outputTokens: null, costUsd: null }))).toMatchObject({ text: '—', unknown: false });
    // The same call live: unknown cost (no price), never a dash.
    expect(costText(sub({ costUsd: null }))?.text).toBe('unknown');
  });

  it('says an RLM of a paused run is paused; calls under way still run', () => {
    const root = node(1, null, 0, { status: 'running', endedAt: null });
    expect(shownStatus(root, 'paused')).toBe('paused');
    expect(shownStatus(root, 'running')).toBe('running');
    expect(shownStatus(sub({ status: 'running' }), 'paused')).toBe('running');
    expect(shownStatus(node(1, null, 0, { status: 'completed' }), 'paused')).toBe('completed');
  });

  it('shows a duration, or the time running so far', () => {
    expect(timeText(node(1, null, 0, { startedAt: 1000, endedAt: 2500 }), 0)).toBe('1.5 s');
    const running = node(1, null, 0, { startedAt: 1000, endedAt: null, status: 'running' });
    expect(timeText(running, 1400)).toBe('<1 s');
    expect(timeText(running, 3900)).toBe('2.0 s');
    expect(timeText(node(1, null, 0, { endedAt: null, status: 'interrupted' }), 5000)).toBe('—');
  });
});
