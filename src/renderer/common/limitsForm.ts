// The run limits as a form: one text field per limit of the table (src/shared/limits.ts), parsed
// and checked against the service's own schema, so labels and ranges are written once. Two
// readings of a field:
// - 'override' (New run): empty keeps the default from Settings, "none" lifts a nullable limit;
// - 'full' (Settings' defaults): empty or "none" means no limit, and a required limit must be set.
import { DEFAULT_LIMITS, LIMIT_KEYS, limitSpec, type LimitKey, type RunLimits } from '../../shared/limits';
import { runLimitsSchema } from '../../shared/schemas';

export type { LimitKey };
export type LimitsDraft = Record<LimitKey, string>;
export type LimitErrors = Partial<Record<LimitKey, string>>;

export interface LimitField {
  key: LimitKey;
  label: string;
  /** What null means for this limit, or null when the limit cannot be null. */
  nullMeans: 'no limit' | 'auto' | null;
}

export const LIMIT_FIELDS: readonly LimitField[] = LIMIT_KEYS.map((key) => {
  const spec = limitSpec(key);
  return { key, label: spec.label, nullMeans: spec.nullMeans ?? null };
});

/** Each limit that can be null set to null: in Settings an empty field means that, and shows it as its placeholder. */
export const LIFTED_LIMITS: RunLimits = Object.fromEntries(LIMIT_FIELDS.map((f) => [f.key, f.nullMeans ? null : DEFAULT_LIMITS[f.key]])) as RunLimits;

const NONE_WORDS = new Set(['none', 'no limit', 'auto', '∞']);

export function emptyLimitsDraft(): LimitsDraft {
  return Object.fromEntries(LIMIT_FIELDS.map((f) => [f.key, ''])) as LimitsDraft;
}

/** The fields filled with these limits; a null limit is an empty field. */
export function limitsDraftFrom(limits: RunLimits): LimitsDraft {
  return Object.fromEntries(LIMIT_FIELDS.map((f) => [f.key, limits[f.key] === null ? '' : String(limits[f.key])])) as LimitsDraft;
}

/** How a limit reads as a placeholder: its value, or what null means. */
export function limitPlaceholder(field: LimitField, value: number | null): string {
  return value === null ? (field.nullMeans ?? '') : String(value);
}

type FieldOutcome = { ok: true; value: number | null | undefined } | { ok: false; error: string };

function parseField(field: LimitField, text: string, mode: 'override' | 'full'): FieldOutcome {
  // Digit groups as people type them: "1 000", "1_000", "1,000" (but "1,5" is not a number).
  let trimmed = text.trim().replace(/[_\s]/g, '').replace(/^\$/, '');
  if (/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(trimmed)) trimmed = trimmed.replace(/,/g, '');
  if (trimmed === '') {
    if (mode === 'override') return { ok: true, value: undefined };
    return field.nullMeans ? { ok: true, value: null } : { ok: false, error: 'required' };
  }
  if (NONE_WORDS.has(text.trim().toLowerCase())) {
    return field.nullMeans ? { ok: true, value: null } : { ok: false, error: 'this limit cannot be lifted' };
  }
  const value = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isFinite(value)) return { ok: false, error: 'must be a number' };
  const parsed = runLimitsSchema.shape[field.key].safeParse(value);
  if (parsed.success) return { ok: true, value };
  return { ok: false, error: describeIssue(parsed.error.issues[0]) };
}

/** The schema's first complaint, in words for a form. */
function describeIssue(issue: { code: string; minimum?: unknown; maximum?: unknown; inclusive?: boolean; expected?: unknown } | undefined): string {
  if (!issue) return 'not allowed';
  if (issue.code === 'too_small') return issue.inclusive ? `must be at least ${String(issue.minimum)}` : `must be more than ${String(issue.minimum)}`;
  if (issue.code === 'too_big') return `must be at most ${Number(issue.maximum).toLocaleString('en-US')}`;
  if (issue.code === 'invalid_type' && issue.expected === 'int') return 'must be a whole number';
  return 'not allowed';
}

export interface ParsedLimits {
  limits: Partial<RunLimits>;
  errors: LimitErrors;
}

/** Reads the form; `limits` holds only the fields that were given (override) or all (full). */
export function parseLimits(draft: LimitsDraft, mode: 'override' | 'full'): ParsedLimits {
  const limits: Partial<Record<LimitKey, number | null>> = {};
  const errors: LimitErrors = {};
  for (const field of LIMIT_FIELDS) {
    const outcome = parseField(field, draft[field.key], mode);
    if (!outcome.ok) errors[field.key] = outcome.error;
    else if (outcome.value !== undefined) limits[field.key] = outcome.value;
  }
  return { limits: limits as Partial<RunLimits>, errors };
}

export function hasErrors(errors: object): boolean {
  return Object.values(errors).some((v) => v !== undefined && (typeof v !== 'object' || hasErrors(v as object)));
}
