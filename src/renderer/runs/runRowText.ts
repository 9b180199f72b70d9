// What a row of the runs list says, as plain functions of a RunSummary.
import type { RunStatus, RunSummary } from '../../shared/domain';
import { formatCost, formatDuration } from '../../shared/format';

/** The query on one line (newlines and runs of spaces folded); the row's CSS ellipsizes it. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function modelsLabel(run: Pick<RunSummary, 'rootModel' | 'subModel'>): string {
  return run.rootModel === run.subModel ? run.rootModel : `${run.rootModel} / ${run.subModel}`;
}

export function costLabel(run: RunSummary): string {
  return formatCost(run.costUsd, run.pricedCostUsd, run.unpricedCalls);
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
