// The runs list: what runs.list returned for the current search, newest first. Pages of 200
// grow as the user scrolls to the end; a refresh reloads everything loaded so far, so live
// updates never lose the user's place.
import { create } from 'zustand';
import type { RlmApi } from '../../shared/api';
import type { RunSummary } from '../../shared/domain/run';
import { errorText } from '../api/errors';

export const PAGE_SIZE = 200;

interface RunsState {
  runs: RunSummary[];
  /** The first answer arrived (an empty list then means "no runs"). */
  loaded: boolean;
  loading: boolean;
  error: string | null;
  search: string;
  limit: number;
  hasMore: boolean;
  /** Runs ticked for "Compare", in the order they were ticked. */
  selected: string[];
}

export const useRuns = create<RunsState>(() => ({ runs: [], loaded: false, loading: false, error: null, search: '', limit: PAGE_SIZE, hasMore: false, selected: [] }));

/** Ticks or unticks a run for comparison; a third tick drops the oldest, so two are always the last two chosen. */
export function toggleSelected(runId: string): void {
  useRuns.setState((s) => ({ selected: s.selected.includes(runId) ? s.selected.filter((id) => id !== runId) : [...s.selected, runId].slice(-2) }));
}

// Answers can overtake each other (a slow search, then a fast one): only the latest counts.
let latest = 0;

export async function refreshRuns(api: RlmApi): Promise<void> {
  const { search, limit } = useRuns.getState();
  const request = ++latest;
  useRuns.setState({ loading: true });
  try {
    const runs = await api.call('runs.list', { limit, offset: 0, search: search.trim() || undefined });
    if (request !== latest) return;
    useRuns.setState({ runs, loaded: true, loading: false, error: null, hasMore: runs.length >= limit });
  } catch (error) {
    if (request !== latest) return;
    useRuns.setState({ loading: false, error: `The runs could not be listed: ${errorText(error)}` });
  }
}

export function setSearch(search: string): void {
  useRuns.setState({ search, limit: PAGE_SIZE });
}

export function loadMoreRuns(api: RlmApi): void {
  const { hasMore, loading, limit } = useRuns.getState();
  if (!hasMore || loading) return;
  useRuns.setState({ limit: limit + PAGE_SIZE });
  void refreshRuns(api);
}

/** Deletes a run; rejects with the service's error (RUN_ACTIVE for a run still going). */
export async function deleteRun(api: RlmApi, runId: string): Promise<void> {
  await api.call('runs.delete', { runId });
  useRuns.setState((s) => ({ runs: s.runs.filter((r) => r.runId !== runId), selected: s.selected.filter((id) => id !== runId) }));
  void refreshRuns(api);
}
