// The run's cost and token limits as a promise against what the provider bills (DESIGN §4).
// Before each attempt at a model call the engine reserves the most that attempt can cost — an
// upper bound on its input, priced at the full input price, plus the output cap it sends — and
// when the attempt ends it settles: what it was billed is spent, the rest of the reservation is
// free again. An attempt is only made when its reservation fits beside what is spent and what the
// calls in flight hold, so spent never passes the limit. Pure: no clock, no I/O.
import { usd } from '../../shared/format';

/** USD per million tokens. Cached input is reserved at the full input price: caching is not promised. */
export interface Price {
  input: number;
  output: number;
}

export interface BudgetLimits {
  maxTokens: number | null;
  maxCostUsd: number | null;
}

export interface Spend {
  tokens: number;
  /** null when the call has no known price (only allowed when the provider reports costs itself). */
  usd: number | null;
}

/** What one attempt holds until it settles. */
export interface Reservation {
  readonly tokens: number;
  readonly usd: number;
  /** The output cap to send with the attempt; null when no limit is set (then nothing is sent). */
  readonly maxOutputTokens: number | null;
}

export type Grant =
  | { ok: true; reservation: Reservation }
  /** wait: it would fit once calls in flight release what they hold; otherwise it never will. */
  | { ok: false; wait: boolean; reason: 'max-cost' | 'max-tokens'; message: string };

/**
 * The largest output cap sent. Large enough for any RLM turn or sub-call answer, reasoning tokens
 * included (they count as output); larger would make each call in flight hold more of a small
 * budget than it will ever use, and hold back calls waiting for it.
 */
export const OUTPUT_CAP = 16_384;

/**
 * Below this many output tokens a call is not made. The shortest useful reply — a short code
 * block, or FINAL(answer) — takes a few dozen tokens; a call capped lower would end cut off
 * (finish_reason "length") with its input paid for and nothing usable back, so the run stops
 * with that money left instead.
 */
export const MIN_OUTPUT_TOKENS = 64;

export interface BudgetOptions {
  outputCap?: number;
  minOutputTokens?: number;
}

export class Budget {
  private spentTokens = 0;
  private spentUsd = 0;
  private heldTokens = 0;
  private heldUsd = 0;
  private readonly outputCap: number;
  private readonly minOutput: number;

  constructor(
    private readonly limits: BudgetLimits,
    options: BudgetOptions = {},
  ) {
    this.outputCap = options.outputCap ?? OUTPUT_CAP;
    this.minOutput = options.minOutputTokens ?? MIN_OUTPUT_TOKENS;
  }

  /** Whether any limit is set: without one nothing is capped and every call is granted. */
  get active(): boolean {
    return this.limits.maxTokens !== null || this.limits.maxCostUsd !== null;
  }

  get spent(): { tokens: number; usd: number } {
    return { tokens: this.spentTokens, usd: this.spentUsd };
  }

  get held(): { tokens: number; usd: number } {
    return { tokens: this.heldTokens, usd: this.heldUsd };
  }

  /**
   * An attempt whose input has at most inputBound tokens, at price (null: unknown, allowed only
   * when the provider reports the cost; then the cost limit is checked after each call).
   */
  reserve(inputBound: number, price: Price | null): Grant {
    if (!this.active) return { ok: true, reservation: { tokens: 0, usd: 0, maxOutputTokens: null } };
    const now = this.fit(inputBound, price, this.heldTokens, this.heldUsd);
    if (now.output >= this.minOutput) {
      const output = now.output;
      const reservation = {
        tokens: inputBound + output,
        usd: price ? (inputBound * price.input + output * price.output) / 1e6 : 0,
        maxOutputTokens: output,
      };
      this.heldTokens += reservation.tokens;
      this.heldUsd += reservation.usd;
      return { ok: true, reservation };
    }
    const alone = this.fit(inputBound, price, 0, 0);
    const wait = alone.output >= this.minOutput;
    return { ok: false, wait, reason: now.limitedBy, message: wait ? '' : this.refusal(alone.limitedBy, inputBound, price) };
  }

  /** The attempt ended: what it was billed is spent (it never exceeds its reservation), the rest is free. */
  settle(reservation: Reservation, spent: Spend): void {
    this.heldTokens = Math.max(0, this.heldTokens - reservation.tokens);
    this.heldUsd = Math.max(0, this.heldUsd - reservation.usd);
    this.spentTokens += spent.tokens;
    if (spent.usd !== null) this.spentUsd += spent.usd;
  }

  /** The output tokens that fit beside what is spent and what is held, and which limit binds. */
  private fit(inputBound: number, price: Price | null, heldTokens: number, heldUsd: number): { output: number; limitedBy: 'max-cost' | 'max-tokens' } {
    let output = this.outputCap;
    let limitedBy: 'max-cost' | 'max-tokens' = this.limits.maxCostUsd !== null ? 'max-cost' : 'max-tokens';
    const { maxTokens, maxCostUsd } = this.limits;
    if (maxTokens !== null) {
      const byTokens = maxTokens - this.spentTokens - heldTokens - inputBound;
      if (byTokens < output) {
        output = byTokens;
        limitedBy = 'max-tokens';
      }
    }
    if (maxCostUsd !== null) {
      const left = maxCostUsd - this.spentUsd - heldUsd;
      // Unknown price (the provider reports it): only what is already spent can be checked.
      const byCost = price ? costToTokens(left - (inputBound * price.input) / 1e6, price.output) : left > 0 ? Infinity : -1;
      if (byCost < output) {
        output = byCost;
        limitedBy = 'max-cost';
      }
    }
    return { output, limitedBy };
  }

  private refusal(reason: 'max-cost' | 'max-tokens', inputBound: number, price: Price | null): string {
    if (reason === 'max-tokens') {
      const max = this.limits.maxTokens ?? 0;
      const need = inputBound + this.minOutput;
      return `the next call could use up to ${count(need)} tokens; ${count(Math.max(0, max - this.spentTokens))} of the limit of ${count(max)} tokens are left`;
    }
    const max = this.limits.maxCostUsd ?? 0;
    const left = Math.max(0, max - this.spentUsd);
    if (!price) return `the run spent ${usd(this.spentUsd)}, reaching its limit of ${usd(max)}`;
    const need = (inputBound * price.input + this.minOutput * price.output) / 1e6;
    return `the next call could cost up to ${usd(need)}; ${usd(left)} of the ${usd(max)} limit is left`;
  }
}

/** Whole output tokens that usdLeft buys at outputPrice per million; -1 when nothing is left. */
function costToTokens(usdLeft: number, outputPrice: number): number {
  if (usdLeft < 0) return -1;
  if (outputPrice <= 0) return Infinity;
  return Math.floor((usdLeft * 1e6) / outputPrice);
}

const count = (n: number): string => n.toLocaleString('en-US');
