// Finds the RlmApi the page talks to: the desktop app's bridge (window.rlm, from the preload), or
// in browser mode the WebSocket of `rlmscope serve` on the page's own origin (its token travels
// in the cookie the server set when the page was opened with it), with the bulk of a run's node
// index over HTTP.
import type { RlmApi } from '../../shared/api';
import { WS_PATH } from '../../shared/wsProtocol';
import { desktopApi } from './desktopApi';
import { putFile, setFileSender } from './fileSender';
import { fetchIndexPages, withIndexPagesOverHttp } from './indexOverHttp';
import { createWebSocketApi, type ConnectionState } from './wsClient';

export interface ConnectedApi {
  api: RlmApi;
  mode: 'desktop' | 'browser';
  /** The state of the connection; the desktop bridge is always 'open'. */
  connection(): ConnectionState;
  /** Returns its unsubscribe. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
}

export function connectApi(): ConnectedApi {
  if (window.rlm) {
    return { api: desktopApi(window.rlm), mode: 'desktop', connection: () => 'open', onConnectionChange: () => () => undefined };
  }
  // Browser mode: a file's bytes go over HTTP, off the page's thread (fileSender.ts).
  setFileSender(putFile);
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const client = createWebSocketApi(`${scheme}//${location.host}${WS_PATH}`, {
    // The server answers 403 to a page whose cookie no longer carries its token.
    isRefused: async () => (await fetch('/', { method: 'HEAD', cache: 'no-store', credentials: 'same-origin' })).status === 403,
  });
  // A large run's index pages after the first go over HTTP too (indexOverHttp.ts).
  const api = withIndexPagesOverHttp(client, fetchIndexPages());
  return { api, mode: 'browser', connection: () => client.state(), onConnectionChange: (l) => client.onStateChange(l) };
}
