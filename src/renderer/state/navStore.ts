// Which screen is shown, kept in the URL's hash so that a reload (or a link) comes back to it:
// #/runs, #/new, #/settings, #/runs/<runId>, #/runs/<runId>?node=<nodeId> (the run with that node
// selected: a fork's link to its branch point), #/compare/<runA>/<runB>.
import { create } from 'zustand';

export type Route =
  | { view: 'runs' }
  | { view: 'new' }
  | { view: 'settings' }
  | { view: 'run'; runId: string; node?: number }
  | { view: 'compare'; a: string; b: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  // A node id is any safe integer (a portable file keeps ids up to 2^53 - 1: 16 digits).
  const run = /^\/runs\/([^/?#]+)(?:\?node=(\d{1,16}))?$/.exec(path);
  const node = run?.[2] === undefined ? undefined : Number(run[2]);
  if (run?.[1] && (node === undefined || Number.isSafeInteger(node))) {
    return node === undefined ? { view: 'run', runId: decodeURIComponent(run[1]) } : { view: 'run', runId: decodeURIComponent(run[1]), node };
  }
  const compare = /^\/compare\/([^/?#]+)\/([^/?#]+)$/.exec(path);
  if (compare?.[1] && compare[2]) return { view: 'compare', a: decodeURIComponent(compare[1]), b: decodeURIComponent(compare[2]) };
  if (path === '/new') return { view: 'new' };
  if (path === '/settings') return { view: 'settings' };
  return { view: 'runs' };
}

export function routeHash(route: Route): string {
  if (route.view === 'run') return `#/runs/${encodeURIComponent(route.runId)}${route.node === undefined ? '' : `?node=${route.node}`}`;
  if (route.view === 'compare') return `#/compare/${encodeURIComponent(route.a)}/${encodeURIComponent(route.b)}`;
  return `#/${route.view}`;
}

interface NavState {
  route: Route;
  go(route: Route): void;
}

export const useNav = create<NavState>((set) => ({
  route: parseRoute(typeof location === 'undefined' ? '' : location.hash),
  go(route) {
    const hash = routeHash(route);
    if (typeof location !== 'undefined' && location.hash !== hash) location.hash = hash;
    set({ route });
  },
}));

/** Follows the Back and Forward buttons (and links) into the store. Returns its unsubscribe. */
export function followHashChanges(): () => void {
  const onChange = () => useNav.setState({ route: parseRoute(location.hash) });
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}
