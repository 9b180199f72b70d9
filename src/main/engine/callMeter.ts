// The budget's side of one model call (DESIGN §4): a reservation before each attempt, settled
// after it with what the provider may have billed. Retried attempts after a cut stream, timed-out
// ones and ones aborted by a stop are billed too; their estimate is summed here so the call's
// node and the run's totals show it.
import type { ModelPrice } from '../../shared/domain/settings';
import type { AttemptBill, AttemptMeter } from '../model/modelClient';
import type { TokenUsage } from '../model/prices';
import type { Price, Reservation } from './budget';
import type { RunContext } from './runContext';
import { textTokenBound } from './tokenBound';

/** What the attempts given up on may have cost: upper bounds, so marked estimated. */
export interface AbandonedCharge extends TokenUsage {
  attempts: number;
  /** null when the model has no known price. */
  costUsd: number | null;
}

export class CallMeter implements AttemptMeter {
  readonly abandoned: AbandonedCharge = { attempts: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 };
  private held: Reservation | null = null;
  private readonly price: Price | null;

  constructor(
    private readonly run: RunContext,
    private readonly model: string,
    /** An upper bound on the call's input tokens (tokenBound.ts). */
    private readonly inputBound: number,
    modelPrice: ModelPrice | null,
    private readonly signal: AbortSignal,
  ) {
    // Input is reserved at the dearer of its two prices: the provider does not promise a cache
    // hit, and a table may price cached input above input (a cache write, or a typo).
    this.price = modelPrice ? { input: Math.max(modelPrice.input, modelPrice.cachedInput ?? 0), output: modelPrice.output } : null;
  }

  async open(): Promise<number | undefined> {
    this.held = await this.run.reserve(this.inputBound, this.price, this.signal);
    return this.held.maxOutputTokens ?? undefined;
  }

  close(bill: AttemptBill): void {
    const held = this.held;
    this.held = null;
    if (!held) return;
    if (!bill.mayBeBilled) {
      this.run.settle(held, { tokens: 0, usd: 0 });
      return;
    }
    if (bill.usage && !bill.usage.estimated) {
      const { inputTokens, outputTokens } = bill.usage;
      this.run.settle(held, { tokens: inputTokens + outputTokens, usd: bill.providerCostUsd ?? this.priced(bill.usage) });
      return;
    }
    // No usage from the provider: what it can have billed at most — the input bound, and the
    // output received (UTF-8 bytes bound tokens), never more than the cap it was sent. A reply
    // asked for whole shows nothing until it is done, and a provider may finish generating it
    // after we hang up: it is charged the whole cap (nothing when no cap was sent: no limit).
    const cap = held.maxOutputTokens;
    const output = bill.streamed || bill.usage ? Math.min(textTokenBound(bill.receivedText), cap ?? Infinity) : (cap ?? 0);
    const charge = { inputTokens: this.inputBound, outputTokens: output, cachedTokens: 0 };
    const usd = bill.providerCostUsd ?? this.priced(charge);
    this.run.settle(held, { tokens: charge.inputTokens + charge.outputTokens, usd });
    // A completed call without usage keeps its own (estimated) figures; only given-up attempts add.
    if (bill.usage) return;
    const sum = this.abandoned;
    sum.attempts++;
    sum.inputTokens += charge.inputTokens;
    sum.outputTokens += charge.outputTokens;
    sum.costUsd = sum.costUsd === null || usd === null ? null : sum.costUsd + usd;
  }

  private priced(usage: TokenUsage): number | null {
    return this.run.deps.prices.cost(this.model, usage);
  }
}
