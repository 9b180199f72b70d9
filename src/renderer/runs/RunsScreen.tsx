// The runs list screen: search, the list (live), and deleting a run after a confirmation.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RlmApi } from '../../shared/api';
import type { RunSummary } from '../../shared/domain/run';
import { SearchIcon } from '../common/icons';
import { DeleteRunDialog } from './DeleteRunDialog';
import './runs.css';
import { RunsList } from './RunsList';
import { loadMoreRuns, refreshRuns, setSearch, useRuns } from './runsStore';
import { useLiveRuns } from './useLiveRuns';

const SEARCH_DEBOUNCE_MS = 250;

export function RunsScreen({ api }: { api: RlmApi }) {
  const { runs, loaded, loading, error, search, hasMore } = useRuns();
  const [deleting, setDeleting] = useState<RunSummary | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const first = useRef(true);
  useLiveRuns(api);

  useEffect(() => {
    // The first load at once; searches once the typing pauses.
    const delay = first.current ? 0 : SEARCH_DEBOUNCE_MS;
    first.current = false;
    const timer = setTimeout(() => void refreshRuns(api), delay);
    return () => clearTimeout(timer);
  }, [api, search]);

  const loadMore = useCallback(() => loadMoreRuns(api), [api]);
  const closeDialog = (deleted: boolean) => {
    setDeleting(null);
    // The deleted row's button is gone; the search box is a sensible place to land.
    if (deleted) searchRef.current?.focus();
  };

  return (
    <div className="screen runs-screen">
      <header className="screen-header">
        <h1>Runs</h1>
        <div className="search-box">
          <SearchIcon />
          <input
            ref={searchRef}
            type="search"
            aria-label="Search runs"
            placeholder="Search runs by query, model or id"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <span className="muted runs-count" aria-live="polite">
          {loaded && `${runs.length}${hasMore ? '+' : ''} run${runs.length === 1 ? '' : 's'}`}
          {loading && loaded && <span className="spinner small" aria-label="Refreshing" />}
        </span>
      </header>
      {error && (
        <div className="banner banner-error" role="alert">
          {error}
          <button type="button" onClick={() => void refreshRuns(api)}>
            Retry
          </button>
        </div>
      )}
      {!loaded && !error && (
        <p className="screen-message" role="status">
          <span className="spinner" aria-hidden="true" /> Loading runs…
        </p>
      )}
      {loaded && runs.length === 0 && (
        <p className="screen-message empty-state">{search.trim() ? `No runs match “${search.trim()}”` : 'No runs yet — start one with New run'}</p>
      )}
      {loaded && runs.length > 0 && (
        <div className="runs-table">
          {/* The same layout as a row (a grid, then room for the delete button); hidden from
              assistive tech, which reads each row's link whole. */}
          <div className="runs-head" aria-hidden="true">
            <div className="runs-head-cells">
              <span>Status</span>
              <span>Query</span>
              <span>Models</span>
              <span className="num">Calls</span>
              <span className="num">Tokens</span>
              <span className="num">Depth</span>
              <span className="num">Cost</span>
              <span className="num">Duration</span>
              <span>Started</span>
            </div>
            <span className="runs-head-spacer" />
          </div>
          <RunsList runs={runs} hasMore={hasMore} onLoadMore={loadMore} onDelete={setDeleting} />
        </div>
      )}
      <DeleteRunDialog api={api} run={deleting} onClose={closeDialog} />
    </div>
  );
}
