// The runs list screen: search, the list (live), deleting a run after a confirmation, and
// importing runs from files (picked with "Import runs" or dropped on the screen).
import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import type { RlmApi } from '../../shared/api';
import type { RunSummary } from '../../shared/domain/run';
import { SearchIcon } from '../common/icons';
import { DeleteRunDialog } from './DeleteRunDialog';
import { CancelImportButton, ImportRunsButton, useImportRuns } from './ImportRuns';
import './runs.css';
import { RunsList } from './RunsList';
import { useNav } from '../state/navStore';
import { loadMoreRuns, refreshRuns, setSearch, toggleSelected, useRuns } from './runsStore';
import { useLiveRuns } from './useLiveRuns';

const SEARCH_DEBOUNCE_MS = 250;

export function RunsScreen({ api }: { api: RlmApi }) {
  const { runs, loaded, loading, error, search, hasMore, selected } = useRuns();
  const go = useNav((s) => s.go);
  const [deleting, setDeleting] = useState<RunSummary | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const first = useRef(true);
  useLiveRuns(api);
  const { progress, importFiles, cancel: cancelImport } = useImportRuns(api);
  const [dragDepth, setDragDepth] = useState(0);
  const dragsFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files');

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
    <div
      className={`screen runs-screen${dragDepth > 0 ? ' is-dragging' : ''}`}
      onDragEnter={(e) => {
        if (!dragsFiles(e)) return;
        e.preventDefault();
        setDragDepth((d) => d + 1);
      }}
      onDragOver={(e) => {
        if (!dragsFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={(e) => dragsFiles(e) && setDragDepth((d) => Math.max(0, d - 1))}
      onDrop={(e) => {
        if (!dragsFiles(e)) return;
        e.preventDefault();
        setDragDepth(0);
        const files = Array.from(e.dataTransfer.files);
        if (files.length > 0) importFiles(files);
      }}
    >
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
        <button
          type="button"
          disabled={selected.length !== 2}
          title={selected.length === 2 ? 'Compare the two selected runs step by step' : 'Tick two runs to compare them'}
          onClick={() => selected.length === 2 && go({ view: 'compare', a: selected[0] as string, b: selected[1] as string })}
        >
          Compare
        </button>
        <ImportRunsButton busy={progress !== null} onFiles={importFiles} />
      </header>
      {(progress !== null || dragDepth > 0) && (
        <div className="runs-import-progress">
          <p className="muted" role="status">
            {progress ?? 'Drop to import runs from these files'}
          </p>
          {progress !== null && <CancelImportButton onCancel={cancelImport} />}
        </div>
      )}
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
        <p className="screen-message empty-state">{search.trim() ? `No runs match “${search.trim()}”` : 'No runs yet — start one with New run, or import runs from a file'}</p>
      )}
      {loaded && runs.length > 0 && (
        <div className="runs-table">
          {/* The same layout as a row (a grid, then room for the delete button); hidden from
              assistive tech, which reads each row's link whole. */}
          <div className="runs-head" aria-hidden="true">
            <span className="runs-head-select" />
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
          <RunsList runs={runs} hasMore={hasMore} onLoadMore={loadMore} onDelete={setDeleting} selected={selected} onSelect={toggleSelected} />
        </div>
      )}
      <DeleteRunDialog api={api} run={deleting} onClose={closeDialog} />
    </div>
  );
}
