// Keeps the list current while it is shown: any event that changes a row (or removes one)
// asks for a refresh, at most one every 500 ms however busy the runs are.
import { useEffect } from 'react';
import type { RlmApi, RlmEvent } from '../../shared/api';
import { refreshRuns } from './runsStore';
import { throttle } from './throttle';

const REFRESH_INTERVAL_MS = 500;

const LIST_EVENTS = new Set<RlmEvent['type']>(['run.started', 'run.finished', 'run.statusChanged', 'run.totalsChanged', 'run.signalsChanged', 'app.runsChanged']);

export function useLiveRuns(api: RlmApi): void {
  useEffect(() => {
    const refresh = throttle(() => void refreshRuns(api), REFRESH_INTERVAL_MS);
    const unsubscribe = api.subscribe(null, (event) => {
      if (LIST_EVENTS.has(event.type)) refresh();
    });
    return () => {
      unsubscribe();
      refresh.cancel();
    };
  }, [api]);
}
