// Adapts the IPC router (ipcRouter.ts, where the logic and its tests are) to ipcMain and
// WebContents. Nothing here decides anything.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { RlmApi } from '../../shared/api';
import { createIpcRouter, type IpcRouter, type Peer } from './ipcRouter';

export interface ServeOptions {
  allowedOrigins: readonly string[];
  /** The contents of our one window (or null while there is none). */
  windowContents: () => WebContents | null;
}

export function serveRlmApi(api: RlmApi, options: ServeOptions): IpcRouter {
  const peers = new WeakMap<WebContents, Peer>();
  const peerOf = (contents: WebContents): Peer => {
    let peer = peers.get(contents);
    if (!peer) {
      peer = webContentsPeer(contents);
      peers.set(contents, peer);
    }
    return peer;
  };
  return createIpcRouter(
    api,
    {
      handle: (channel, handler) =>
        ipcMain.handle(channel, (event: IpcMainInvokeEvent, ...args: unknown[]) =>
          handler({ frame: event.senderFrame, peer: peerOf(event.sender) }, args),
        ),
      removeHandler: (channel) => ipcMain.removeHandler(channel),
    },
    {
      allowedOrigins: options.allowedOrigins,
      isAllowedPeer: (peer) => {
        const contents = options.windowContents();
        return contents !== null && !contents.isDestroyed() && contents.id === peer.id;
      },
      onRefused: (channel, url) => console.warn(`rlmscope: refused ${channel} from ${url ?? 'a frame that is gone'}`),
    },
  );
}

function webContentsPeer(contents: WebContents): Peer {
  return {
    id: contents.id,
    send: (channel, payload) => contents.send(channel, payload),
    isDestroyed: () => contents.isDestroyed(),
    onPageGone(listener) {
      // 'did-navigate' is the main frame committing a new document (reload included; in-page
      // navigations are 'did-navigate-in-page' and keep the page). Not 'did-start-navigation':
      // a navigation that will-navigate then cancels would drop the live page's subscriptions.
      const gone = () => listener();
      contents.on('did-navigate', gone);
      contents.on('render-process-gone', gone);
      contents.on('destroyed', gone);
      return () => {
        contents.off('did-navigate', gone);
        contents.off('render-process-gone', gone);
        contents.off('destroyed', gone);
      };
    },
  };
}
