// Serves the RlmApi to the renderer over IPC: the sender checks and the IPC adapter of the
// transport core (src/main/transport/apiConnection.ts, one per page), without electron, so plain
// Node tests it. ipc.ts adapts it to ipcMain and WebContents.
//
// SECURITY: the renderer is treated as a peer to check, not to trust. Every request must come
// from the top frame of our own window showing our own page (VS Code does the same in
// src/vs/base/parts/ipc/electron-main/ipcMain.ts), every payload is validated (the method name
// and run id by the transport core, the params by the service's schemas), and nothing ever throws across IPC: failures
// return as `{ ok: false, error: ErrorData }`.
import type { CallOutcome, RlmApi } from '../../shared/api';
import { toErrorData } from '../../shared/errors';
import { IPC_CHANNELS, type EventEnvelope, type SubscribeOutcome } from '../../shared/ipcChannels';
import { createApiConnection, failure, type ApiConnection } from '../transport/apiConnection';
import { APP_SCHEME } from './appScheme';

/** What the router reads of Electron's WebFrameMain. */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
}

/** What the router needs of a renderer (Electron's WebContents). */
export interface Peer {
  readonly id: number;
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
  /**
   * Calls `listener` once the page that subscribed is gone: the contents were destroyed, the
   * renderer crashed, or the main frame committed a new document. Returns a function that stops
   * watching.
   */
  onPageGone(listener: () => void): () => void;
}

export interface IpcRequest {
  /** The frame that sent the request; null or undefined once it navigated away or was destroyed. */
  frame: FrameLike | null | undefined;
  peer: Peer;
}

export type IpcHandler = (request: IpcRequest, args: unknown[]) => Promise<unknown>;

/** ipcMain, reduced to what the router uses. */
export interface IpcServer {
  handle(channel: string, handler: IpcHandler): void;
  removeHandler(channel: string): void;
}

export interface RouterOptions {
  /** Origins of the app's own page, as computed by `appOrigin`. */
  allowedOrigins: readonly string[];
  /** Whether the request comes from our window's contents (one window, one id). */
  isAllowedPeer?: (peer: Peer) => boolean;
  /** Told about every refused request (logging); it gets the channel and the sender's URL. */
  onRefused?: (channel: string, url: string | null) => void;
}

export interface IpcRouter {
  /** Live subscriptions over every peer (tests check that nothing leaks). */
  subscriptionCount(): number;
  /** Peers being watched for their page going away. */
  watchedPeerCount(): number;
  /** Removes the handlers and every subscription. */
  dispose(): void;
}

/**
 * The identity of the app's page in a URL: its origin, for http(s) (the dev server) and for the
 * app's own scheme (`app://rlmscope`; Node's URL gives non-special schemes an opaque origin, so it
 * is built here as Chromium builds it for a standard scheme). Null for everything else, file:
 * included: every local file shares one opaque origin, so no file: page is ever trusted.
 */
export function appOrigin(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.origin;
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host !== '' && !parsed.username && !parsed.password) return `${APP_SCHEME}://${parsed.host}`;
  return null;
}

/** The request comes from a top frame (not an iframe) showing the app's own page. */
export function isTrustedSender(frame: FrameLike | null | undefined, allowedOrigins: readonly string[]): boolean {
  if (!frame) return false;
  try {
    if (frame.parent !== null) return false;
    const origin = appOrigin(frame.url);
    return origin !== null && allowedOrigins.includes(origin);
  } catch {
    // Electron throws on reading a WebFrameMain whose frame was disposed.
    return false;
  }
}

interface PeerState {
  peer: Peer;
  /** The page's calls and subscriptions (the transport core). */
  connection: ApiConnection;
  stopWatching: () => void;
}

export function createIpcRouter(api: RlmApi, server: IpcServer, options: RouterOptions): IpcRouter {
  const peers = new Map<number, PeerState>();
  let nextSubscriptionId = 1;

  function trusted(channel: string, request: IpcRequest): boolean {
    if (isTrustedSender(request.frame, options.allowedOrigins) && (options.isAllowedPeer?.(request.peer) ?? true)) return true;
    options.onRefused?.(channel, safeUrl(request.frame));
    return false;
  }

  /** Stops watching a peer left with nothing to end when its page goes. */
  function forgetIfIdle(state: PeerState): void {
    if (peers.get(state.peer.id) !== state) return;
    if (state.connection.subscriptionCount() === 0 && state.connection.inFlightCount() === 0) forgetPeer(state.peer.id);
  }

  function forgetPeer(peerId: number): void {
    const state = peers.get(peerId);
    if (!state) return;
    peers.delete(peerId);
    state.stopWatching();
    // Its subscriptions end and its calls in flight are aborted: nobody is left to answer.
    state.connection.close();
  }

  function stateOf(peer: Peer): PeerState {
    let state = peers.get(peer.id);
    if (!state) {
      // One watcher per peer, only while it has subscriptions or calls: no listener piles up on it.
      const created: PeerState = {
        peer,
        connection: createApiConnection(api, {
          nextSubscriptionId: () => nextSubscriptionId++,
          send(subscriptionId, event) {
            const envelope: EventEnvelope = { subscriptionId, event };
            try {
              if (peer.isDestroyed()) throw new Error('destroyed');
              peer.send(IPC_CHANNELS.event, envelope);
            } catch {
              // The page went away without telling us: drop everything it had.
              forgetPeer(peer.id);
            }
          },
        }),
        stopWatching: () => undefined,
      };
      peers.set(peer.id, created);
      created.stopWatching = peer.onPageGone(() => forgetPeer(peer.id));
      state = created;
    }
    return state;
  }

  server.handle(IPC_CHANNELS.call, async (request, args): Promise<CallOutcome<unknown>> => {
    try {
      if (!trusted(IPC_CHANNELS.call, request)) return refused();
      const [method, params, callId] = args;
      if (callId !== undefined && !isCallId(callId)) return failure('INVALID_INPUT', 'call: callId must be an integer');
      const state = stateOf(request.peer);
      try {
        // The method name is checked by the core, the params by the service.
        return await state.connection.call(method, params, callId);
      } finally {
        forgetIfIdle(state);
      }
    } catch (error) {
      return { ok: false, error: toErrorData(error) };
    }
  });

  server.handle(IPC_CHANNELS.cancel, async (request, args): Promise<CallOutcome<null>> => {
    try {
      if (!trusted(IPC_CHANNELS.cancel, request)) return refused();
      const [callId] = args;
      // A peer can only cancel its own calls; an unknown id is not an error (it ended).
      if (isCallId(callId)) peers.get(request.peer.id)?.connection.cancel(callId);
      return { ok: true, value: null };
    } catch (error) {
      return { ok: false, error: toErrorData(error) };
    }
  });

  server.handle(IPC_CHANNELS.subscribe, async (request, args): Promise<SubscribeOutcome> => {
    try {
      if (!trusted(IPC_CHANNELS.subscribe, request)) return refused();
      const [runId] = args;
      const { peer } = request;
      if (peer.isDestroyed()) return failure('INVALID_INPUT', 'subscribe: the window is gone');
      const state = stateOf(peer);
      // The run id is checked by the core.
      const outcome = state.connection.subscribe(runId);
      forgetIfIdle(state);
      return outcome;
    } catch (error) {
      return { ok: false, error: toErrorData(error) };
    }
  });

  server.handle(IPC_CHANNELS.unsubscribe, async (request, args): Promise<CallOutcome<null>> => {
    try {
      if (!trusted(IPC_CHANNELS.unsubscribe, request)) return refused();
      const [subscriptionId] = args;
      // A peer can only end its own subscriptions; an unknown id is not an error (already gone).
      const state = peers.get(request.peer.id);
      if (state && typeof subscriptionId === 'number') {
        state.connection.unsubscribe(subscriptionId);
        forgetIfIdle(state);
      }
      return { ok: true, value: null };
    } catch (error) {
      return { ok: false, error: toErrorData(error) };
    }
  });

  return {
    subscriptionCount() {
      let n = 0;
      for (const state of peers.values()) n += state.connection.subscriptionCount();
      return n;
    },
    watchedPeerCount() {
      return peers.size;
    },
    dispose() {
      for (const channel of Object.values(IPC_CHANNELS)) {
        if (channel !== IPC_CHANNELS.event) server.removeHandler(channel);
      }
      for (const peerId of [...peers.keys()]) forgetPeer(peerId);
    },
  };
}

function isCallId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function refused() {
  // No dedicated code exists in the contract for this; the request itself is what is invalid.
  return failure('INVALID_INPUT', 'refused: the request did not come from the RLMScope window');
}

function safeUrl(frame: FrameLike | null | undefined): string | null {
  try {
    return frame?.url ?? null;
  } catch {
    return null;
  }
}
