// When a run's cost or token limit will be reached at its recent rate (issue 13, the
// budget-forecast signal): in seconds, over a recent window of the run's totals, and in turns of
// the root, when that comes before its iteration limit. Pure: the caller gives the clock.
import { formatTokens, usd } from '../../../shared/format';
import type { RunTotals } from '../../../shared/domain/run';
import type { RunLimits } from '../../../shared/limits';

/** The recent window the spend rate is measured over. */
export const BUDGET_WINDOW_MS = 30_000;
/** No rate until the samples span this long: the first seconds of a run say little about the rest. */
export const BUDGET_MIN_SPAN_MS = 5_000;
/** A limit further off than this, at the current rate, is not worth a flag. */
export const BUDGET_HORIZON_S = 600;
/** Root turns before its spend per turn is trusted for the iteration forecast. */
export const BUDGET_MIN_TURNS = 2;
/** Samples kept within the window (at least window / this apart): a run of 100,000 calls keeps 64. */
const MAX_SAMPLES = 64;

export interface ForecastThresholds {
  budgetWindowMs: number;
  budgetMinSpanMs: number;
  budgetHorizonS: number;
  budgetMinTurns: number;
}

export type ForecastLimits = Pick<RunLimits, 'maxCostUsd' | 'maxTokens' | 'maxIterations'>;

export interface Forecast {
  /** The limit reached first. */
  limit: 'cost' | 'tokens';
  /** Seconds until it at the recent rate; null when only the iteration forecast holds. */
  secondsLeft: number | null;
  /** Root turns until it at the root's spend per turn, when that comes before the iteration limit. */
  turnsLeft: number | null;
  /** Every limit's forecast, in words. */
  message: string;
}

interface Sample {
  at: number;
  cost: number;
  tokens: number;
}

export class SpendForecast {
  private samples: Sample[] = [];
  private latest: Sample | null = null;
  private rootTurns = 0;

  constructor(private readonly thresholds: ForecastThresholds) {}

  /** A turn of the root RLM began. */
  rootTurn(): void {
    this.rootTurns++;
  }

  /** A pause or a resume: the rate before a pause says nothing after it. */
  restart(): void {
    this.samples = [];
    this.latest = null;
  }

  /** The forecast after these totals, or null when no limit is near. Priced cost only, as the cost limit counts it. */
  observe(totals: RunTotals, at: number, limits: ForecastLimits): Forecast | null {
    const sample = { at, cost: totals.pricedCostUsd, tokens: totals.inputTokens + totals.outputTokens };
    this.latest = sample;
    // The first sample kept is the last at or before the window's start.
    const kept = this.samples.at(-1);
    if (!kept || at - kept.at >= this.thresholds.budgetWindowMs / MAX_SAMPLES) this.samples.push(sample);
    while (this.samples.length > 1 && (this.samples[1]?.at ?? at) <= at - this.thresholds.budgetWindowMs) this.samples.shift();
    const forecasts = [
      this.forecast('cost', limits.maxCostUsd, (s) => s.cost, limits.maxIterations),
      this.forecast('tokens', limits.maxTokens, (s) => s.tokens, limits.maxIterations),
    ].filter((f): f is Forecast => f !== null);
    const first = forecasts.sort((a, b) => (a.secondsLeft ?? Infinity) - (b.secondsLeft ?? Infinity))[0];
    if (!first) return null;
    return { limit: first.limit, secondsLeft: first.secondsLeft, turnsLeft: first.turnsLeft, message: forecasts.map((f) => f.message).join(' ') };
  }

  samplesKept(): number {
    return this.samples.length;
  }

  private forecast(limit: 'cost' | 'tokens', max: number | null, value: (s: Sample) => number, maxIterations: number): Forecast | null {
    const first = this.samples[0];
    const last = this.latest;
    if (max === null || !first || !last) return null;
    const left = max - value(last);
    if (!(left > 0)) return null;
    const show = (n: number): string => (limit === 'cost' ? usd(n) : `${formatTokens(Math.round(n))} tokens`);
    const clauses: string[] = [];
    let secondsLeft: number | null = null;
    const span = last.at - first.at;
    const rate = span >= this.thresholds.budgetMinSpanMs ? (value(last) - value(first)) / (span / 1000) : 0;
    if (rate > 0 && left / rate <= this.thresholds.budgetHorizonS) {
      secondsLeft = roundSeconds(left / rate);
      clauses.push(`in about ${secondsLeft} s at ${show(rate)}/s over the last ${Math.round(span / 1000)} s`);
    }
    let turnsLeft: number | null = null;
    const iterationsLeft = maxIterations - this.rootTurns;
    if (this.rootTurns >= this.thresholds.budgetMinTurns && iterationsLeft > 0 && value(last) > 0) {
      // What the whole run spent per turn of the root, children included: each root turn pays for what its code starts.
      const perTurn = value(last) / this.rootTurns;
      const turns = Math.ceil(left / perTurn);
      if (turns < iterationsLeft) {
        turnsLeft = turns;
        clauses.push(`in about ${turns} more turn${turns === 1 ? '' : 's'} of the root at ${show(perTurn)} a turn, before its iteration limit (${this.rootTurns} of ${maxIterations} used)`);
      }
    }
    if (clauses.length === 0) return null;
    return {
      limit,
      secondsLeft,
      turnsLeft,
      message: `At the current spend the run's ${limit === 'cost' ? 'cost' : 'token'} limit (${show(max)}, ${show(left)} left) will be reached ${clauses.join(', and ')}.`,
    };
  }
}

/** A forecast moves every second; rounded (to 5 s past 10 s, to 10 s past a minute) it reads steadier and changes less often. */
function roundSeconds(seconds: number): number {
  if (seconds < 10) return Math.max(1, Math.round(seconds));
  return seconds < 60 ? Math.round(seconds / 5) * 5 : Math.round(seconds / 10) * 10;
}
