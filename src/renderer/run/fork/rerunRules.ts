// "Rerun…" (issue 12, DESIGN §11): a run re-run with other settings and no edit, its recording
// the cache — calls whose request still matches are answered from it, the rest go live. When the
// button is offered, and what the dialog's fields send: only the settings that changed, since
// runs.fork takes the parent's for every one left out. Pure: the dialog and its tests read the same rules.
import type { RunLimits } from '../../../shared/limits';
import type { RunDetail } from '../../../shared/domain/run';
import { limitSchema } from '../../../shared/limitsSchema';
import { modelNameSchema } from '../../../shared/schemas';
import type { ForkOffer } from './forkRules';

type RerunRun = Pick<RunDetail, 'origin' | 'status' | 'replayable' | 'replayableWhy'>;

/** The same rules as "Fork from here" (forkOffer): a native run that has ended with a complete recording. */
export function rerunOffer(run: RerunRun): ForkOffer {
  // An imported run was executed elsewhere (Python): it is shown and compared, never re-executed.
  if (run.origin === 'imported') return { shown: false };
  if (run.replayable === false) return { shown: true, enabled: false, title: `Cannot rerun: this run cannot be re-executed exactly — ${run.replayableWhy ?? 'its recording is incomplete'}` };
  if (run.status === 'running' || run.status === 'paused') {
    return { shown: true, enabled: false, title: 'Cannot rerun yet: the run is still going. A rerun re-runs a run that has ended, from its recording.' };
  }
  return { shown: true, enabled: true, title: 'Re-run this run with other models or limits: calls whose request still matches the recording are answered from it, at no cost' };
}

/** The dialog's fields, as typed. */
export interface RerunDraft {
  rootModel: string;
  subModel: string;
  /** Empty: no cost limit. */
  maxCostUsd: string;
  maxIterations: string;
  /** Deduplicate sub-calls (issue 13): the run's own setting, prefilled. */
  dedupeSubcalls: boolean;
}

/** The typed fields, which can be wrong; the switch cannot. */
export type RerunField = Exclude<keyof RerunDraft, 'dedupeSubcalls'>;

export type RerunErrors = Partial<Record<RerunField, string>>;

/** What runs.fork takes besides the run's id, with nothing to change the parent's for what is left out. */
export interface RerunParams {
  rootModel?: string;
  subModel?: string;
  limits?: Partial<Pick<RunLimits, 'maxCostUsd' | 'maxIterations'>>;
  dedupeSubcalls?: boolean;
}

type SettingsOf = Pick<RunDetail, 'rootModel' | 'subModel' | 'dedupeSubcalls'> & { limits: Pick<RunLimits, 'maxCostUsd' | 'maxIterations'> };

/** The fields prefilled with the run's own settings (no cost limit: an empty field). */
export function rerunDraftFrom(run: SettingsOf): RerunDraft {
  return {
    rootModel: run.rootModel,
    subModel: run.subModel,
    maxCostUsd: run.limits.maxCostUsd === null ? '' : String(run.limits.maxCostUsd),
    maxIterations: String(run.limits.maxIterations),
    dedupeSubcalls: run.dedupeSubcalls ?? false,
  };
}

export type RerunRequest = { ok: true; params: RerunParams; changed: number } | { ok: false; errors: RerunErrors };

/**
 * The draft read against the run: each field checked as the service would (so a mistake is
 * shown beside its field, not as a refusal), then only the changed ones kept. `changed` counts
 * them: 0 means the rerun would replay the recording.
 */
export function rerunRequest(run: SettingsOf, draft: RerunDraft): RerunRequest {
  const errors: RerunErrors = {};
  const params: RerunParams = {};
  const limits: NonNullable<RerunParams['limits']> = {};

  for (const key of ['rootModel', 'subModel'] as const) {
    const parsed = modelNameSchema.safeParse(draft[key]);
    if (!parsed.success) errors[key] = draft[key].trim() === '' ? 'enter a model name' : 'at most 200 characters';
    else if (parsed.data !== run[key]) params[key] = parsed.data;
  }

  const cost = readNumber(draft.maxCostUsd);
  if (cost === null) {
    if (run.limits.maxCostUsd !== null) limits.maxCostUsd = null;
  } else if (!(cost > 0)) {
    errors.maxCostUsd = 'a positive number of dollars, or empty for no limit';
  } else if (!limitSchema('maxCostUsd').safeParse(cost).success) {
    errors.maxCostUsd = 'at most 1,000,000';
  } else if (cost !== run.limits.maxCostUsd) {
    limits.maxCostUsd = cost;
  }

  const iterations = readNumber(draft.maxIterations);
  if (iterations === null) errors.maxIterations = 'required';
  else if (!limitSchema('maxIterations').safeParse(iterations).success) errors.maxIterations = 'a whole number from 1 to 10,000';
  else if (iterations !== run.limits.maxIterations) limits.maxIterations = iterations;

  if (draft.dedupeSubcalls !== (run.dedupeSubcalls ?? false)) params.dedupeSubcalls = draft.dedupeSubcalls;

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (Object.keys(limits).length > 0) params.limits = limits;
  const changed = Object.keys(params).length - (params.limits ? 1 : 0) + Object.keys(limits).length;
  return { ok: true, params, changed };
}

/** A typed number ("$0.50", " 12 "), null for an empty field, NaN for anything else. */
function readNumber(text: string): number | null {
  const trimmed = text.trim().replace(/^\$/, '').trim();
  if (trimmed === '') return null;
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed) ? Number(trimmed) : Number.NaN;
}
