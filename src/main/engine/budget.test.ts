import { describe, expect, it } from 'vitest';
import { Budget, MIN_OUTPUT_TOKENS, OUTPUT_CAP, type Grant, type Reservation } from './budget';

const price = { input: 2, output: 8 }; // USD per million tokens

function granted(grant: Grant): Reservation {
  if (!grant.ok) throw new Error(`refused: ${grant.message}`);
  return grant.reservation;
}

describe('Budget', () => {
  it('grants everything and caps nothing when no limit is set', () => {
    const budget = new Budget({ maxTokens: null, maxCostUsd: null });
    expect(budget.active).toBe(false);
    expect(granted(budget.reserve(1_000_000, null))).toEqual({ tokens: 0, usd: 0, maxOutputTokens: null });
    expect(budget.held).toEqual({ tokens: 0, usd: 0 });
  });

  it('reserves the input at the full price plus the output cap', () => {
    const budget = new Budget({ maxTokens: null, maxCostUsd: 10 });
    const r = granted(budget.reserve(1000, price));
    expect(r.maxOutputTokens).toBe(OUTPUT_CAP);
    expect(r.usd).toBeCloseTo((1000 * 2 + OUTPUT_CAP * 8) / 1e6, 12);
    expect(budget.held.usd).toBeCloseTo(r.usd, 12);
  });

  it('lowers the output cap to what the rest of the budget buys', () => {
    // $0.01 left after the input ($0.002): 1,250 output tokens at $8 per million.
    const budget = new Budget({ maxTokens: null, maxCostUsd: 0.012 });
    const r = granted(budget.reserve(1000, price));
    expect(r.maxOutputTokens).toBe(1250);
    expect(r.usd).toBeCloseTo(0.012, 12);
  });

  it('makes a call wait while calls in flight hold what it needs, and lets it go once they settle', () => {
    const budget = new Budget({ maxTokens: null, maxCostUsd: 0.012 });
    const first = granted(budget.reserve(1000, price));
    expect(first.maxOutputTokens).toBe(1250);
    const second = budget.reserve(1000, price);
    expect(second).toMatchObject({ ok: false, wait: true, reason: 'max-cost' });
    // The first call used 1000 input and 100 output tokens: $0.0028 spent, the rest is free again.
    budget.settle(first, { tokens: 1100, usd: 0.0028 });
    expect(budget.held).toEqual({ tokens: 0, usd: 0 });
    expect(budget.spent.usd).toBeCloseTo(0.0028, 12);
    const again = granted(budget.reserve(1000, price));
    expect(again.maxOutputTokens).toBe(900);
  });

  it('refuses, saying what the next call could cost and what is left, when it cannot fit even alone', () => {
    const budget = new Budget({ maxTokens: null, maxCostUsd: 0.01 });
    const r = granted(budget.reserve(1000, price));
    budget.settle(r, { tokens: 2000, usd: 0.0095 });
    const refused = budget.reserve(1000, price);
    expect(refused).toEqual({
      ok: false,
      wait: false,
      reason: 'max-cost',
      message: 'the next call could cost up to $0.00251; $0.000500 of the $0.0100 limit is left',
    });
  });

  it(`does not make a call that could return fewer than ${MIN_OUTPUT_TOKENS} tokens`, () => {
    const perToken = 8 / 1e6;
    const budget = new Budget({ maxTokens: null, maxCostUsd: 0.002 + (MIN_OUTPUT_TOKENS - 1) * perToken });
    expect(budget.reserve(1000, price)).toMatchObject({ ok: false, wait: false });
    const enough = new Budget({ maxTokens: null, maxCostUsd: 0.002 + MIN_OUTPUT_TOKENS * perToken + 1e-12 });
    expect(granted(enough.reserve(1000, price)).maxOutputTokens).toBe(MIN_OUTPUT_TOKENS);
  });

  it('keeps a token limit the same way, input bound included', () => {
    const budget = new Budget({ maxTokens: 5000, maxCostUsd: null });
    const r = granted(budget.reserve(3000, null));
    expect(r).toMatchObject({ tokens: 5000, maxOutputTokens: 2000 });
    expect(budget.reserve(100, null)).toMatchObject({ ok: false, wait: true, reason: 'max-tokens' });
    budget.settle(r, { tokens: 1200, usd: null });
    expect(granted(budget.reserve(3000, null)).maxOutputTokens).toBe(800);
    const tight = new Budget({ maxTokens: 1000, maxCostUsd: null });
    expect(tight.reserve(990, null)).toEqual({
      ok: false,
      wait: false,
      reason: 'max-tokens',
      message: `the next call could use up to ${(990 + MIN_OUTPUT_TOKENS).toLocaleString('en-US')} tokens; 1,000 of the limit of 1,000 tokens are left`,
    });
  });

  it('names the limit that binds when both are set', () => {
    const budget = new Budget({ maxTokens: 1500, maxCostUsd: 100 });
    expect(budget.reserve(1480, price)).toMatchObject({ ok: false, reason: 'max-tokens' });
    const costly = new Budget({ maxTokens: 1_000_000, maxCostUsd: 0.001 });
    expect(costly.reserve(1000, price)).toMatchObject({ ok: false, reason: 'max-cost' });
  });

  it('with no known price (the provider reports costs) checks only what is already spent', () => {
    const budget = new Budget({ maxTokens: null, maxCostUsd: 0.5 });
    const r = granted(budget.reserve(1000, null));
    expect(r).toMatchObject({ usd: 0, maxOutputTokens: OUTPUT_CAP });
    budget.settle(r, { tokens: 2000, usd: 0.6 });
    expect(budget.reserve(1000, null)).toEqual({
      ok: false,
      wait: false,
      reason: 'max-cost',
      message: 'the run spent $0.600, reaching its limit of $0.500',
    });
  });

  it('never lets what is spent pass the limit, whatever the calls in flight do', () => {
    // A fixed pseudo-random walk: calls of every size start and settle in any order, each billed
    // anything up to its reservation (the promise the client keeps with the cap it sends).
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const limit = 0.75;
    const budget = new Budget({ maxTokens: 400_000, maxCostUsd: limit });
    const open: Reservation[] = [];
    for (let step = 0; step < 5000; step++) {
      if (open.length < 8 && random() < 0.6) {
        const grant = budget.reserve(Math.floor(random() * 20_000), price);
        if (grant.ok) open.push(grant.reservation);
        else if (!grant.wait) break;
      } else if (open.length > 0) {
        const [r] = open.splice(Math.floor(random() * open.length), 1) as [Reservation];
        const share = random();
        budget.settle(r, { tokens: Math.floor(r.tokens * share), usd: r.usd * share });
      }
      expect(budget.spent.usd + budget.held.usd).toBeLessThanOrEqual(limit + 1e-12);
      expect(budget.spent.tokens + budget.held.tokens).toBeLessThanOrEqual(400_000);
    }
    expect(budget.spent.usd).toBeGreaterThan(limit * 0.5);
  });
});
