// The live meter's numbers: each of cost, tokens, calls and time against the run's limit.
import type { RunDetail } from '../../shared/domain/run';
import { formatDuration, formatTokens, tokensUnknown, usd } from '../../shared/format';

/** From this share of a limit on, a gauge turns to the warning colour. */
export const NEAR_LIMIT = 0.8;

export type MeterLevel = 'ok' | 'near' | 'over';

export interface MeterItem {
  label: 'Cost' | 'Tokens' | 'Calls' | 'Time';
  value: string;
  /** The limit as text, or null when there is none. */
  limit: string | null;
  /** Share of the limit used, 0..1 (capped), or null without a limit. */
  fraction: number | null;
  level: MeterLevel;
  /** A note for the reader: calls whose price is unknown (never counted as $0), a fork's calls served from the cache. */
  note?: string;
  /** What the note means, in full (its tooltip). */
  noteTitle?: string;
}

export function meterLevel(value: number, limit: number | null): { fraction: number | null; level: MeterLevel } {
  if (limit === null) return { fraction: null, level: 'ok' };
  if (limit <= 0) return { fraction: 1, level: value > 0 ? 'over' : 'near' };
  const share = value / limit;
  return { fraction: Math.min(share, 1), level: share >= 1 ? 'over' : share >= NEAR_LIMIT ? 'near' : 'ok' };
}

/** Wall time of the run: since its start while it goes, its duration once it ended. */
export function elapsedMs(run: RunDetail, now: number): number {
  if (run.durationMs !== null) return run.durationMs;
  if (run.endedAt !== null) return run.endedAt - run.createdAt;
  return Math.max(0, now - run.createdAt);
}

/** Where a run's cached calls were answered from, for the note under its call count. */
function cachedCallsTitle(run: RunDetail): string {
  const dedupe = 'repeated sub-calls answered by the identical first one (--dedupe-subcalls)';
  if (!run.forkedFrom) return `Calls answered without a request: ${dedupe}; no cost`;
  return `Calls answered without a request: from the recording of the run this was forked from${run.dedupeSubcalls ? `, or ${dedupe}` : ''}; no cost`;
}

/** Limits an imported run never ran under: its totals are shown without gauges. */
const NO_LIMITS = { maxCostUsd: null, maxTokens: null, maxCalls: null, maxSeconds: null } as const;

export function meterItems(run: RunDetail, now: number): MeterItem[] {
  // An imported run was executed elsewhere: the limits stored with it are not ones it ran under.
  const limits = run.origin === 'imported' ? NO_LIMITS : run.limits;
  const tokens = run.inputTokens + run.outputTokens;
  const seconds = elapsedMs(run, now) / 1000;
  return [
    {
      label: 'Cost',
      // The limit counts priced calls only (RunLimits.maxCostUsd), so the gauge does too.
      value: run.costUsd !== null ? usd(run.costUsd) : run.pricedCostUsd > 0 ? `≥ ${usd(run.pricedCostUsd)}` : 'unknown',
      limit: limits.maxCostUsd === null ? null : usd(limits.maxCostUsd),
      ...meterLevel(run.pricedCostUsd, limits.maxCostUsd),
      ...(run.unpricedCalls > 0 ? { note: `${run.unpricedCalls.toLocaleString('en-US')} unpriced`, noteTitle: 'Calls to models without a known price: not counted in the cost, never as $0' } : {}),
    },
    { label: 'Tokens', value: tokensUnknown(run) ? 'unknown' : formatTokens(tokens), limit: limits.maxTokens === null ? null : formatTokens(limits.maxTokens), ...meterLevel(tokens, limits.maxTokens) },
    {
      label: 'Calls',
      value: String(run.modelCalls),
      limit: limits.maxCalls === null ? null : String(limits.maxCalls),
      ...meterLevel(run.modelCalls, limits.maxCalls),
      // Calls answered without a request (a fork's recording, a deduplicated sub-call) count in no total and against no limit.
      ...(run.cachedCalls ? { note: `${run.cachedCalls.toLocaleString('en-US')} from cache`, noteTitle: cachedCallsTitle(run) } : {}),
    },
    { label: 'Time', value: formatDuration(seconds * 1000), limit: limits.maxSeconds === null ? null : formatDuration(limits.maxSeconds * 1000), ...meterLevel(seconds, limits.maxSeconds) },
  ];
}
