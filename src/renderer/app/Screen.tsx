// The screen the route names. The run view is another module's (src/renderer/run/), loaded
// when first opened: it carries Monaco, which the other screens do not need. Until that
// module exists in the tree, a placeholder stands in (import.meta.glob finds nothing, and the
// build does not fail).
import { lazy, Suspense, type ComponentType } from 'react';
import type { RlmApi } from '../../shared/api';
import { ErrorBoundary } from '../common/ErrorBoundary';
import { NewRunScreen } from '../newRun/NewRunScreen';
import { RunsScreen } from '../runs/RunsScreen';
import { SettingsScreen } from '../settings/SettingsScreen';
import type { Route } from './navStore';

type RunViewModule = { RunView: ComponentType<{ api: RlmApi; runId: string }> };
const runViewLoader = import.meta.glob<RunViewModule>('../run/RunView.tsx')['../run/RunView.tsx'];
const RunView = runViewLoader ? lazy(() => runViewLoader().then((m) => ({ default: m.RunView }))) : null;

export function Screen({ api, route }: { api: RlmApi; route: Route }) {
  const key = route.view === 'run' ? `run:${route.runId}` : route.view;
  return (
    <ErrorBoundary resetKey={key}>
      {route.view === 'runs' && <RunsScreen api={api} />}
      {route.view === 'new' && <NewRunScreen api={api} />}
      {route.view === 'settings' && <SettingsScreen api={api} />}
      {route.view === 'run' && (
        <Suspense fallback={<p className="screen-message" role="status">Loading run…</p>}>
          {RunView ? (
            <RunView key={route.runId} api={api} runId={route.runId} />
          ) : (
            <p className="screen-message">The run view of {route.runId} is not built yet.</p>
          )}
        </Suspense>
      )}
    </ErrorBoundary>
  );
}
