// The inputs chosen for a new run, as plain data, and what they mean for starting it. An entry
// is a file or a whole folder (shown as one line, however many files it holds).
import type { MethodParams } from '../../shared/api';
import type { RunInput } from '../../shared/schemas';
import { parseLimits, type LimitErrors, type LimitsDraft } from '../common/limitsForm';

export type EntryStatus = 'checking' | 'uploading' | 'done' | 'refused' | 'failed';

export interface InputEntry {
  id: string;
  kind: 'file' | 'folder';
  name: string;
  /** Files in the entry that will be sent (a folder's text files). */
  files: number;
  bytes: number;
  sent: number;
  status: EntryStatus;
  /** Why the entry cannot be used (refused) or did not arrive (failed). */
  error: string | null;
  /** Files of a folder left out, each with the reason. */
  skipped: string[];
  /** The service's ids of the files received, in the folder's order. */
  uploadIds: string[];
}

export const PASTED_TEXT_NAME = 'pasted text';

export function isActive(entry: InputEntry): boolean {
  return entry.status === 'checking' || entry.status === 'uploading';
}

/** Bytes sent of all entries still arriving or arrived, for the overall progress bar. */
export function overallProgress(entries: readonly InputEntry[]): { sent: number; bytes: number; active: number } {
  let sent = 0;
  let bytes = 0;
  let active = 0;
  for (const entry of entries) {
    if (entry.status === 'refused' || entry.status === 'failed') continue;
    sent += entry.sent;
    bytes += entry.bytes;
    if (isActive(entry)) active++;
  }
  return { sent, bytes, active };
}

export interface StartDraft {
  query: string;
  pasted: string;
  entries: readonly InputEntry[];
  rootModel: string;
  subModel: string;
  limits: LimitsDraft;
  /** null: the service's default (Settings). */
  dedupeSubcalls?: boolean | null;
}

export interface StartErrors {
  query?: string;
  inputs?: string;
  rootModel?: string;
  subModel?: string;
  limits?: LimitErrors;
}

/** Why Start cannot be pressed yet, or null. Uploads in progress are not a reason: Start waits for them. */
export function startBlocker(query: string): string | null {
  return query.trim() ? null : 'Type a query to start';
}

/** The runs.start call for this draft, or what is wrong with it, field by field. */
export function buildStart(draft: StartDraft): { ok: true; params: MethodParams<'runs.start'> } | { ok: false; errors: StartErrors } {
  const errors: StartErrors = {};
  const query = draft.query.trim();
  if (!query) errors.query = 'the query is empty';
  else if (query.length > 200_000) errors.query = 'the query is longer than 200,000 characters';
  const unusable = draft.entries.filter((e) => e.status === 'refused' || e.status === 'failed');
  if (unusable.length > 0) errors.inputs = `Remove what cannot be used: ${unusable.map((e) => e.name).join(', ')}`;
  else if (draft.entries.some(isActive)) errors.inputs = 'Files are still uploading';
  if (!draft.rootModel.trim()) errors.rootModel = 'required';
  if (!draft.subModel.trim()) errors.subModel = 'required';
  const limits = parseLimits(draft.limits, 'override');
  if (Object.keys(limits.errors).length > 0) errors.limits = limits.errors;
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const inputs: RunInput[] = draft.entries.flatMap((e) => e.uploadIds.map((uploadId) => ({ kind: 'upload' as const, uploadId })));
  if (draft.pasted.trim()) inputs.push({ kind: 'text', name: PASTED_TEXT_NAME, text: draft.pasted });
  const params: MethodParams<'runs.start'> = { query, inputs, rootModel: draft.rootModel.trim(), subModel: draft.subModel.trim() };
  if (Object.keys(limits.limits).length > 0) params.limits = limits.limits;
  if (typeof draft.dedupeSubcalls === 'boolean') params.dedupeSubcalls = draft.dedupeSubcalls;
  return { ok: true, params };
}

/** Entries a BINARY_FILE (or other file) error from the service names, so the message shows by them too. */
export function entriesNamedIn(message: string, entries: readonly InputEntry[]): string[] {
  return entries.filter((e) => message.includes(e.name)).map((e) => e.id);
}

/** The field a validation message of runs.start ("runs.start: limits.maxDepth: Too big…") is about. */
export function startErrorsFromService(message: string): StartErrors | null {
  const match = /^runs\.start: ([\w.]+): (.+)$/.exec(message);
  if (!match) return null;
  const [, path = '', text = ''] = match;
  if (path === 'query' || path === 'rootModel' || path === 'subModel') return { [path]: text };
  const limit = /^limits\.(\w+)$/.exec(path)?.[1];
  if (limit) return { limits: { [limit]: text } };
  return null;
}
