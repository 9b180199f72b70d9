// The window's frame: the top bar, the connection banner (browser mode), the screen the route
// names, and the notices. Wiring only.
import { useEffect } from 'react';
import type { ConnectedApi } from '../api/connect';
import { ConnectionBanner } from './ConnectionBanner';
import { followHashChanges, useNav } from '../state/navStore';
import { NavBar } from './NavBar';
import { Screen } from './Screen';
import { Toasts } from './Toasts';
import { useAppCommands } from './useAppCommands';
import { useDocumentTitle } from './useDocumentTitle';
import { usePageGuards } from './usePageGuards';
import { useReconnects } from './useReconnects';

export function App({ api: connected }: { api: ConnectedApi }) {
  const route = useNav((s) => s.route);
  useEffect(() => followHashChanges(), []);
  useAppCommands(connected.api);
  useDocumentTitle(connected.api, route);
  usePageGuards();
  const reconnects = useReconnects(connected);
  return (
    <div className="app">
      <NavBar route={route} />
      {connected.mode === 'browser' && <ConnectionBanner connected={connected} />}
      <main className="app-main">
        <Screen api={connected.api} route={route} reconnects={reconnects} />
      </main>
      <Toasts />
    </div>
  );
}
