// What a signal has cost so far, read from a node's subtree roll-up, and the small pieces of
// wording every signal's message shares.
import { createHash } from 'node:crypto';
import type { SubtreeTotals } from '../../../shared/domain/node';
import { usd } from '../../../shared/format';

/** USD of the calls with a price, and how many had none (a known cost is never guessed). */
export interface Spend {
  priced: number;
  unpriced: number;
}

export function noSpend(): Spend {
  return { priced: 0, unpriced: 0 };
}

export function spendOf(subtree: SubtreeTotals): Spend {
  return { priced: subtree.pricedCostUsd, unpriced: subtree.unpricedCalls };
}

/** What was spent between two readings of one node's subtree. */
export function spendSince(now: Spend, before: Spend): Spend {
  return { priced: now.priced - before.priced, unpriced: now.unpriced - before.unpriced };
}

/** USD, or null when some call had no known price (as RunTotals.costUsd). */
export function costUsdOf(spend: Spend): number | null {
  return spend.unpriced > 0 ? null : spend.priced;
}

export function describeSpend(spend: Spend): string {
  const priced = usd(spend.priced);
  return spend.unpriced > 0 ? `${priced} and ${spend.unpriced} call${plural(spend.unpriced)} of unknown price` : priced;
}

/** 48 bits of a text's SHA-1: what is kept of a code or an output to compare it with the next. */
export function hashOf(text: string): number {
  return createHash('sha1').update(text).digest().readUIntBE(0, 6);
}

export function plural(n: number): string {
  return n === 1 ? '' : 's';
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
