// Keeps the window's title on the screen shown; a run's title is its query, once read.
import { useEffect, useState } from 'react';
import type { RlmApi } from '../../shared/api';
import { titleFor } from './documentTitle';
import type { Route } from '../state/navStore';

export function useDocumentTitle(api: RlmApi, route: Route): void {
  const runId = route.view === 'run' ? route.runId : null;
  const [known, setKnown] = useState<{ runId: string; query: string } | null>(null);

  useEffect(() => {
    if (runId === null) return;
    let current = true;
    api
      .call('runs.get', { runId })
      .then((run) => current && setKnown({ runId, query: run.query }))
      // The run view shows why a run cannot be read; the title just stays generic.
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [api, runId]);

  const query = known && known.runId === runId ? known.query : null;
  useEffect(() => {
    document.title = titleFor(route, query);
  }, [route, query]);
}
