// Whether a run's cost limit can be kept, decided in runs.start before any request (DESIGN §4).
// A limit over a model with no known price would silently count nothing; the budget needs a
// price to reserve before each call. A provider that reports each call's cost itself (OpenRouter's
// usage.cost) lets the limit be checked after each call instead: weaker, so the run is warned.
import type { RunLimits } from '../../shared/limits';
import { RlmError } from '../../shared/errors';
import { unpricedModelMessage } from '../engine/modelCall';
import type { PriceTable } from '../model/prices';

export interface CostLimitInput {
  limits: Pick<RunLimits, 'maxCostUsd'>;
  rootModel: string;
  subModel: string;
  prices: PriceTable;
  baseUrl: string;
}

export interface CostLimitCheck {
  providerReportsCost: boolean;
  warnings: string[];
}

/** Hosts whose replies carry usage.cost. */
const COST_REPORTING_HOSTS = ['openrouter.ai'];

export function reportsCost(baseUrl: string): boolean {
  let host: string;
  try {
    host = new URL(baseUrl).hostname.toLowerCase();
  } catch {
    return false;
  }
  return COST_REPORTING_HOSTS.some((known) => host === known || host.endsWith(`.${known}`));
}

/** Throws INVALID_INPUT naming the first unpriced model when the limit cannot be kept. */
export function checkCostLimit(input: CostLimitInput): CostLimitCheck {
  const providerReportsCost = reportsCost(input.baseUrl);
  if (input.limits.maxCostUsd === null) return { providerReportsCost, warnings: [] };
  const unpriced = [...new Set([input.rootModel, input.subModel])].filter((model) => input.prices.lookup(model) === null);
  if (unpriced.length === 0) return { providerReportsCost, warnings: [] };
  if (!providerReportsCost) throw new RlmError('INVALID_INPUT', unpricedModelMessage(unpriced[0] as string));
  return {
    providerReportsCost,
    warnings: [
      `${unpriced.join(' and ')} ${unpriced.length === 1 ? 'has' : 'have'} no known price: the provider reports each call's cost, so the cost limit is checked after each call and the last call can pass it`,
    ],
  };
}
