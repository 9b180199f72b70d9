// Counts the times the connection came back after it dropped. Events sent while a WebSocket is
// down are lost, so a screen that shows live state keys itself on this count and loads afresh.
import { useEffect, useState } from 'react';
import type { ConnectedApi } from '../api/connect';

export function useReconnects(connected: ConnectedApi): number {
  const [count, setCount] = useState(0);
  useEffect(() => {
    let dropped = false;
    return connected.onConnectionChange((state) => {
      if (state === 'open' && dropped) setCount((n) => n + 1);
      dropped = state !== 'open';
    });
  }, [connected]);
  return count;
}
