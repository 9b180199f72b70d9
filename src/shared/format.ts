// How numbers read, the same in the terminal and in the window: costs (an unknown price is
// never shown as $0), durations, token counts.
import type { NodeRow } from './domain';

/** A cost, or what is known of it: an unknown price is never shown as $0. */
export function formatCost(costUsd: number | null, pricedCostUsd: number, unpricedCalls: number): string {
  if (costUsd !== null) return usd(costUsd);
  const calls = `${unpricedCalls} unpriced call${unpricedCalls === 1 ? '' : 's'}`;
  return pricedCostUsd > 0 ? `≥ ${usd(pricedCostUsd)} (${calls})` : `cost unknown (${calls})`;
}

/**
 * Dollars with four decimals (sub-calls cost fractions of a cent); a cost too small for four
 * decimals (a 400-token call to a small model costs $0.00002) keeps two significant digits
 * instead of reading as $0.0000.
 */
export function usd(value: number): string {
  if (value <= 0 || value >= 0.0001) return `$${value.toFixed(4)}`;
  const digits = Math.min(12, 1 - Math.floor(Math.log10(value)));
  return `$${value.toFixed(digits)}`;
}

/** The cost of a node's whole subtree, or null when some call in it has no known price. */
export function subtreeCost(node: NodeRow): number | null {
  return node.subtree.unpricedCalls > 0 ? null : node.subtree.pricedCostUsd;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(s % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** 950 → "950", 12_345 → "12.3k", 4_200_000 → "4.2M". */
export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 2 : 1)}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 2 : 1)}M`;
}
