// The screen the route names. The run view is loaded when first opened: it carries Monaco,
// which the other screens do not need.
import { lazy, Suspense } from 'react';
import type { RlmApi } from '../../shared/api';
import { ErrorBoundary } from '../common/ErrorBoundary';
import { NewRunScreen } from '../newRun/NewRunScreen';
import { RunsScreen } from '../runs/RunsScreen';
import { SettingsScreen } from '../settings/SettingsScreen';
import type { Route } from '../state/navStore';

const RunView = lazy(() => import('../run/RunView').then((m) => ({ default: m.RunView })));
const CompareView = lazy(() => import('../compare/CompareView').then((m) => ({ default: m.CompareView })));

/** `reconnects`: the run view loads afresh after the connection came back (events were lost). */
export function Screen({ api, route, reconnects }: { api: RlmApi; route: Route; reconnects: number }) {
  const key = route.view === 'run' ? `run:${route.runId}` : route.view === 'compare' ? `compare:${route.a}:${route.b}` : route.view;
  return (
    <ErrorBoundary resetKey={key}>
      {route.view === 'runs' && <RunsScreen api={api} />}
      {route.view === 'new' && <NewRunScreen api={api} />}
      {route.view === 'settings' && <SettingsScreen api={api} />}
      {route.view === 'run' && (
        <Suspense fallback={<p className="screen-message" role="status">Loading run…</p>}>
          <RunView key={`${route.runId}:${reconnects}`} api={api} runId={route.runId} node={route.node ?? null} />
        </Suspense>
      )}
      {route.view === 'compare' && (
        <Suspense fallback={<p className="screen-message" role="status">Comparing runs…</p>}>
          <CompareView key={`${route.a}:${route.b}:${reconnects}`} api={api} a={route.a} b={route.b} />
        </Suspense>
      )}
    </ErrorBoundary>
  );
}
