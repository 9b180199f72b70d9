import { describe, expect, it } from 'vitest';
import { emptySubtree, type NodeRow } from './domain/node';
import { formatCost, formatDuration, formatTokens, subtreeCost, usd } from './format';

describe('formatCost', () => {
  it('shows a known cost in dollars', () => {
    expect(formatCost(0.01234, 0.01234, 0)).toBe('$0.0123');
  });

  it('gives every amount below $1 the same three significant digits', () => {
    // The pair the issue saw side by side: $0.000096 and $0.0001 for calls of the same size.
    expect(formatCost(0.000096, 0.000096, 0)).toBe('$0.0000960');
    expect(formatCost(0.000123, 0.000123, 0)).toBe('$0.000123');
    expect(formatCost(0, 0, 0)).toBe('$0.00');
  });

  it('never shows an unknown price as $0', () => {
    expect(formatCost(null, 0, 2)).toBe('cost unknown (2 unpriced calls)');
    expect(formatCost(null, 0.5, 1)).toBe('≥ $0.500 (1 unpriced call)');
  });
});

describe('usd', () => {
  it('keeps three significant digits below a dollar, trailing zeros included', () => {
    expect(usd(0.0187)).toBe('$0.0187');
    expect(usd(0.5)).toBe('$0.500');
    expect(usd(0.00030001)).toBe('$0.000300');
    expect(usd(0.000027)).toBe('$0.0000270');
  });

  it('rounds, and carries into cents at a dollar', () => {
    expect(usd(0.012349)).toBe('$0.0123');
    expect(usd(0.012351)).toBe('$0.0124');
    expect(usd(0.9996)).toBe('$1.00');
  });

  it('shows cents from a dollar on', () => {
    expect(usd(1)).toBe('$1.00');
    expect(usd(15.0356)).toBe('$15.04');
    expect(usd(1234.5)).toBe('$1234.50');
  });

  it('writes tiny amounts as decimals, never in exponent notation or as zero', () => {
    expect(usd(0.00000123)).toBe('$0.00000123');
    expect(usd(1.23e-8)).toBe('$0.0000000123');
    expect(usd(1e-7)).toBe('$0.000000100');
  });

  it('reads zero, and anything not a positive number, as $0.00', () => {
    expect(usd(0)).toBe('$0.00');
    expect(usd(-0)).toBe('$0.00');
    expect(usd(Number.NaN)).toBe('$0.00');
  });
});

describe('subtreeCost', () => {
  const node = (pricedCostUsd: number, unpricedCalls: number): NodeRow =>
    ({ subtree: { ...emptySubtree(), pricedCostUsd, unpricedCalls } }) as NodeRow;

  it('is null when a call below has no price', () => {
    expect(subtreeCost(node(1, 1))).toBeNull();
    expect(subtreeCost(node(1, 0))).toBe(1);
  });
});

describe('formatDuration', () => {
  it('reads at every scale', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(420)).toBe('420 ms');
    expect(formatDuration(12_300)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3 * 3600_000 + 5 * 60_000)).toBe('3 h 5 min');
  });
});

describe('formatTokens', () => {
  it('abbreviates thousands and millions', () => {
    expect(formatTokens(950)).toBe('950');
    expect(formatTokens(1234)).toBe('1.23k');
    expect(formatTokens(12_345)).toBe('12.3k');
    expect(formatTokens(4_200_000)).toBe('4.20M');
    expect(formatTokens(42_000_000)).toBe('42.0M');
  });
});
