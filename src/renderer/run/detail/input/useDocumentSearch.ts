// Search in one stored document: runs documents.search a moment after the query or its options
// change, and steps between the matches. The service returns at most MATCHES_PER_CALL at a time;
// stepping past the last one asks for the next ones, so "1,000+" matches can all be visited.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RlmApi } from '../../../../shared/api';
import type { DocumentMatch } from '../../../../shared/api/documents';
import { errorText } from '../../../api/errors';

const MATCHES_PER_CALL = 1000;
/** Typing pauses this long before the search starts: one search per word, not per key. */
const DEBOUNCE_MS = 300;

export interface SearchOptions {
  query: string;
  regex: boolean;
  caseSensitive: boolean;
}

export interface SearchView {
  matches: DocumentMatch[];
  /** There are more matches after the last one loaded. */
  capped: boolean;
  timedOut: boolean;
  /** Share of the document searched so far, 0–1 (below 1 only when the search ran out of time). */
  searched: number;
  current: number;
  busy: boolean;
  error: string | null;
  /** Whether a search has answered for the options shown. */
  done: boolean;
  next(): void;
  previous(): void;
}

interface Found {
  key: string;
  matches: DocumentMatch[];
  capped: boolean;
  timedOut: boolean;
  scannedTo: number;
  /** Where the last call started. */
  from: number;
  bytes: number;
  current: number;
}

export function useDocumentSearch(api: RlmApi, runId: string, hash: string, options: SearchOptions): SearchView {
  const key = JSON.stringify([hash, options.query, options.regex, options.caseSensitive]);
  const [found, setFound] = useState<Found | null>(null);
  const [error, setError] = useState<{ key: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  // Every request takes a ticket; only the newest may change the state.
  const ticket = useRef(0);

  const fetchFrom = useCallback(
    (from: number, base: Found | null) => {
      const mine = ++ticket.current;
      setBusy(true);
      const { query, regex, caseSensitive } = options;
      api.call('documents.search', { runId, hash, query, regex, caseSensitive, from, maxMatches: MATCHES_PER_CALL }).then(
        (result) => {
          if (mine !== ticket.current) return;
          setBusy(false);
          const matches = base ? [...base.matches, ...result.matches] : result.matches;
          // More matches: step onto the first new one; a first search starts at the first match.
          const current = base ? Math.min(base.matches.length, matches.length - 1) : 0;
          setFound({ key, matches, capped: result.capped, timedOut: result.timedOut, scannedTo: result.scannedTo, from, bytes: result.bytes, current: Math.max(0, current) });
        },
        (failure: unknown) => {
          if (mine !== ticket.current) return;
          setBusy(false);
          setError({ key, message: errorText(failure) });
        },
      );
    },
    [api, runId, hash, key, options],
  );

  useEffect(() => {
    ticket.current++;
    setBusy(false);
    if (options.query === '') return;
    const timer = setTimeout(() => fetchFrom(0, null), DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // Keyed on `key` alone: fetchFrom changes exactly when the options it stands for do.
  }, [key]);

  const live = found?.key === key ? found : null;
  const move = (step: 1 | -1) => {
    if (!live) return;
    const target = live.current + step;
    // Past the last match loaded: ask for more when there are (capped), or may be (the search ran
    // out of time having got somewhere; a regex stuck at one place would only time out again).
    const more = live.capped || (live.timedOut && live.scannedTo > live.from);
    if (target >= live.matches.length && more) return fetchFrom(live.scannedTo, live);
    if (live.matches.length === 0) return;
    const wrapped = (target + live.matches.length) % live.matches.length;
    setFound({ ...live, current: wrapped });
  };
  return {
    matches: live?.matches ?? [],
    capped: live?.capped ?? false,
    timedOut: live?.timedOut ?? false,
    searched: live ? (live.timedOut && live.bytes > 0 ? live.scannedTo / live.bytes : 1) : 0,
    current: live?.current ?? -1,
    busy,
    error: error?.key === key && options.query !== '' ? error.message : null,
    done: live !== null,
    next: () => move(1),
    previous: () => move(-1),
  };
}
