// The window's (or tab's) title follows the screen, so the taskbar and browser tabs say where
// the user is.
import type { Route } from '../state/navStore';

const APP = 'RLMScope';
const MAX_QUERY_CHARS = 60;

export function titleFor(route: Route, runQuery?: string | null): string {
  switch (route.view) {
    case 'runs':
      return `Runs — ${APP}`;
    case 'new':
      return `New run — ${APP}`;
    case 'settings':
      return `Settings — ${APP}`;
    case 'compare':
      return `Compare ${route.a} and ${route.b} — ${APP}`;
    case 'run': {
      const query = runQuery?.replace(/\s+/g, ' ').trim();
      if (!query) return `Run ${route.runId} — ${APP}`;
      const short = query.length > MAX_QUERY_CHARS ? `${query.slice(0, MAX_QUERY_CHARS - 1)}…` : query;
      return `${short} — ${APP}`;
    }
  }
}
