import { describe, expect, it } from 'vitest';
import { emptySubtree, type NodeRow } from './domain';
import { formatCost, formatDuration, formatTokens, subtreeCost } from './format';

describe('formatCost', () => {
  it('shows a known cost in dollars', () => {
    expect(formatCost(0.01234, 0.01234, 0)).toBe('$0.0123');
  });

  it('keeps two significant digits of a cost below a hundredth of a cent', () => {
    expect(formatCost(0.000027, 0.000027, 0)).toBe('$0.000027');
    expect(formatCost(0, 0, 0)).toBe('$0.0000');
  });

  it('never shows an unknown price as $0', () => {
    expect(formatCost(null, 0, 2)).toBe('cost unknown (2 unpriced calls)');
    expect(formatCost(null, 0.5, 1)).toBe('≥ $0.5000 (1 unpriced call)');
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
