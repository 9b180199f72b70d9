// What a row of the runs list says, as plain functions of a RunSummary.
import type { RunStatus, RunSummary, StopReason } from '../../shared/domain/run';
import { formatCost, formatDuration, formatTokens, tokensUnknown, usd } from '../../shared/format';

/** The query on one line (newlines and runs of spaces folded); the row's CSS ellipsizes it. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function modelsLabel(run: Pick<RunSummary, 'rootModel' | 'subModel'>): string {
  return run.rootModel === run.subModel ? run.rootModel : `${run.rootModel} / ${run.subModel}`;
}

/** A cell that shows a short text and says (tooltip, screen reader) the whole of it. */
export interface CellText {
  text: string;
  full: string;
}

/**
 * The run's cost, short enough for its column; the whole of it (unpriced calls) in `full`. A run
 * that made no model call spent nothing and has no cost to show: "—", not $0.00.
 */
export function costLabel(run: Pick<RunSummary, 'costUsd' | 'pricedCostUsd' | 'unpricedCalls' | 'modelCalls'>): CellText {
  if (run.modelCalls === 0 && run.unpricedCalls === 0 && run.pricedCostUsd === 0) return { text: '—', full: 'no cost: no model call was made' };
  const full = formatCost(run.costUsd, run.pricedCostUsd, run.unpricedCalls);
  if (run.costUsd !== null) return { text: full, full };
  return { text: run.pricedCostUsd > 0 ? `≥ ${usd(run.pricedCostUsd)}` : 'unknown', full };
}

export function callsLabel(run: Pick<RunSummary, 'modelCalls'>): CellText {
  const n = run.modelCalls.toLocaleString('en-US');
  return { text: n, full: `${n} model call${run.modelCalls === 1 ? '' : 's'}` };
}

export function tokensLabel(run: Pick<RunSummary, 'inputTokens' | 'outputTokens' | 'modelCalls'>): CellText {
  if (tokensUnknown(run)) return { text: 'unknown', full: 'tokens unknown: the log gives no token counts for its calls' };
  const all = run.inputTokens + run.outputTokens;
  return {
    text: formatTokens(all),
    full: `${all.toLocaleString('en-US')} tokens (${run.inputTokens.toLocaleString('en-US')} in, ${run.outputTokens.toLocaleString('en-US')} out)`,
  };
}

/** The deepest RLM the run reached: 0 when the root never started a child. */
export function depthLabel(run: Pick<RunSummary, 'maxDepthReached'>): CellText {
  return { text: String(run.maxDepthReached), full: `depth ${run.maxDepthReached}` };
}

// A few words each: the status column is narrow. The run's own message says the rest.
const SHORT_REASONS: Record<StopReason, string | null> = {
  user: 'by you',
  'max-iterations': 'turn limit',
  'max-calls': 'call limit',
  'max-tokens': 'token limit',
  'max-cost': 'cost limit',
  'max-seconds': 'time limit',
  runaway: 'runaway',
  'no-answer': 'no answer',
  // A failed run says "failed"; its error is the message.
  error: null,
};

export interface StatusText {
  status: RunStatus;
  /** Why it ended, in a few words ("cost limit", "by you"), or null. */
  reason: string | null;
  /** Status, reason and the run's own message, whole: the tooltip and what a screen reader hears. */
  full: string;
}

/**
 * What the status column says: a cost-limit stop and a stop by the user both end "stopped", so
 * the reason goes with it. A run that ended at its turn limit with an answer is "completed · turn
 * limit": it answered, but was made to.
 */
export function statusLabel(run: Pick<RunSummary, 'status' | 'stopReason' | 'error'>): StatusText {
  const reason = run.stopReason === null || run.status === 'running' || run.status === 'paused' ? null : (SHORT_REASONS[run.stopReason] ?? null);
  const head = reason === null ? run.status : `${run.status} · ${reason}`;
  return { status: run.status, reason, full: run.error ? `${head}: ${run.error}` : head };
}

export function durationLabel(run: Pick<RunSummary, 'durationMs' | 'status'>): string {
  if (run.durationMs === null && (run.status === 'running' || run.status === 'paused')) return 'in progress';
  return formatDuration(run.durationMs);
}

/** Today's runs by time, this year's by day and time, older ones by date. */
export function dateLabel(ms: number, now: number, locale?: string, timeZone?: string): string {
  const at = new Date(ms);
  const day = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  const year = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric' }).format(d);
  const time = { hour: 'numeric', minute: '2-digit' } as const;
  if (day(at) === day(new Date(now))) return `Today ${new Intl.DateTimeFormat(locale, { timeZone, ...time }).format(at)}`;
  if (year(at) === year(new Date(now))) return new Intl.DateTimeFormat(locale, { timeZone, month: 'short', day: 'numeric', ...time }).format(at);
  return new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: 'short', day: 'numeric' }).format(at);
}

/** The colour family of a status; the word itself is always shown too. */
export function statusTone(status: RunStatus): 'active' | 'success' | 'warning' | 'danger' | 'muted' {
  switch (status) {
    case 'running':
      return 'active';
    case 'paused':
      return 'warning';
    case 'completed':
      return 'success';
    case 'failed':
      return 'danger';
    case 'stopped':
    case 'interrupted':
      return 'muted';
  }
}
