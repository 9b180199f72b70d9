// How numbers read, the same in the terminal and in the window: costs (an unknown price is
// never shown as $0), durations, token counts.
import type { NodeRow } from './domain/node';

/** A cost, or what is known of it: an unknown price is never shown as $0. */
export function formatCost(costUsd: number | null, pricedCostUsd: number, unpricedCalls: number): string {
  if (costUsd !== null) return usd(costUsd);
  const calls = `${unpricedCalls} unpriced call${unpricedCalls === 1 ? '' : 's'}`;
  return pricedCostUsd > 0 ? `≥ ${usd(pricedCostUsd)} (${calls})` : `cost unknown (${calls})`;
}

/**
 * Dollars, by one rule everywhere (rows, meter, header, runs list, terminal): below $1, three
 * significant digits, trailing zeros kept ($0.0187, $0.000960, $0.500); from $1 on, cents. A
 * fixed number of decimals read $0.000096 beside $0.0001 for two calls of the same size, and
 * sub-calls cost fractions of a cent, so the digits that differ must show. Zero is $0.00.
 */
export function usd(value: number): string {
  if (!(value > 0)) return '$0.00';
  if (value >= 1) return `$${value.toFixed(2)}`;
  const text = value.toPrecision(3);
  // 0.9996 rounds to "1.00": cents from there on, like any dollar amount.
  if (Number(text) >= 1) return `$${Number(text).toFixed(2)}`;
  // toPrecision switches to exponent notation below 1e-6; a cost that small still reads as dollars.
  return `$${text.includes('e') ? value.toFixed(Math.min(20, 2 - Math.floor(Math.log10(value)))) : text}`;
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

/**
 * Whether totals over model calls have no known token count at all: calls were made, yet none
 * counted a token. A real call always sends a prompt, so this happens only when every call's
 * usage is unknown (an imported log that gives none): "unknown", never "0 tokens".
 */
export function tokensUnknown(totals: { inputTokens: number; outputTokens: number; modelCalls: number }): boolean {
  return totals.modelCalls > 0 && totals.inputTokens === 0 && totals.outputTokens === 0;
}
