// Browser mode only: says so when the WebSocket to `rlmscope serve` is down. The client
// reconnects by itself (wsClient.ts); calls made meanwhile wait for it.
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { ConnectedApi } from '../api/connect';

export function ConnectionBanner({ connected }: { connected: ConnectedApi }) {
  const state = useSyncExternalStore(connected.onConnectionChange, connected.connection);
  const [everOpen, setEverOpen] = useState(state === 'open');
  useEffect(() => {
    if (state === 'open') setEverOpen(true);
  }, [state]);
  // The first connection attempt is not news; a drop, or a server that never answers, is.
  const down = state === 'closed' || (state === 'connecting' && everOpen);
  if (state === 'refused') {
    return (
      <div className="connection-banner" role="alert">
        rlmscope serve was restarted and no longer accepts this page: open the URL it printed.
      </div>
    );
  }
  if (!down) return null;
  return (
    <div className="connection-banner" role="alert">
      <span className="spinner" aria-hidden="true" />
      Disconnected from rlmscope serve — reconnecting…
    </div>
  );
}
