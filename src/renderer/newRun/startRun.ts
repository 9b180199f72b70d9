// Start: check the form, wait for files still uploading, then runs.start. Errors land next to
// their field, or next to the button when they belong to none (provider errors, input too large).
import type { MethodResult, RlmApi } from '../../shared/api';
import { describeError } from '../api/errors';
import { buildStart, entriesNamedIn, isActive, startErrorsFromService, type StartDraft } from './inputEntries';
import { whenUploadsSettle } from './inputQueue';
import { resetDraft, updateEntry, useNewRun, type NewRunState } from './newRunStore';

function draftOf(s: NewRunState): StartDraft {
  return {
    query: s.query,
    pasted: s.pasted,
    entries: s.entries,
    rootModel: s.rootModel ?? s.settings?.rootModel ?? '',
    subModel: s.subModel ?? s.settings?.subModel ?? '',
    limits: s.limits,
    dedupeSubcalls: s.dedupeSubcalls ?? s.settings?.dedupeSubcalls ?? null,
  };
}

/** Starts the run of the form; resolves with it, or null when it did not start (the form says why). */
export async function startRun(api: RlmApi): Promise<MethodResult<'runs.start'> | null> {
  const before = useNewRun.getState();
  if (before.phase !== 'editing') return null;
  // Check everything but the uploads first, so a missing query does not wait for a long upload.
  const early = buildStart({ ...draftOf(before), entries: before.entries.filter((e) => !isActive(e)) });
  if (!early.ok) {
    useNewRun.setState({ errors: early.errors, startError: null });
    return null;
  }
  useNewRun.setState({ phase: 'waiting', errors: {}, startError: null });
  await whenUploadsSettle();

  const built = buildStart(draftOf(useNewRun.getState()));
  if (!built.ok) {
    useNewRun.setState({ phase: 'editing', errors: built.errors });
    return null;
  }
  useNewRun.setState({ phase: 'starting' });
  try {
    const result = await api.call('runs.start', built.params);
    resetDraft();
    return result;
  } catch (error) {
    const data = describeError(error);
    const state = useNewRun.getState();
    if (data.code === 'BINARY_FILE' || data.code === 'FILE_UNREADABLE') {
      for (const id of entriesNamedIn(data.message, state.entries)) updateEntry(id, { status: 'refused', error: data.message });
    }
    const fieldErrors = startErrorsFromService(data.message);
    useNewRun.setState(fieldErrors ? { phase: 'editing', errors: fieldErrors } : { phase: 'editing', startError: data.message });
    return null;
  }
}
