// The RlmApi over browser mode's WebSocket (src/shared/wsProtocol.ts). It reconnects by itself
// after the connection drops (the server restarted, the laptop slept) and subscribes again, so
// the page keeps receiving events; calls made while it is down wait for the connection. A call
// already sent when the connection drops fails instead of being sent again: the server may have
// run it (a second `runs.start` would be a second paid run).
// A call whose params hold a Uint8Array (an upload chunk) goes as one binary frame
// (wsProtocol.ts), its bytes as they are, not as base64 inside JSON.
// No DOM beyond the WebSocket constructor, which tests under Node pass in (the `ws` package).
import type { CallOutcome, MethodName, MethodParams, MethodResult, RlmApi, RlmEvent, Unsubscribe } from '../../shared/api';
import type { ErrorData } from '../../shared/errors';
import { binaryFieldOf, encodeBinaryCallParts, type ClientMessage, type ServerMessage } from '../../shared/wsProtocol';

/** `refused`: the server no longer accepts this page (it restarted with a new token). */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'refused';

/** What the client uses of a WebSocket (the browser's, or `ws` in tests). */
export interface SocketLike {
  readyState: number;
  send(data: string | Blob): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export type SocketFactory = (url: string) => SocketLike;

export interface WebSocketApi extends RlmApi {
  state(): ConnectionState;
  onStateChange(listener: (state: ConnectionState) => void): () => void;
  /** Closes for good: pending calls fail, no reconnection. */
  close(): void;
}

export interface WebSocketApiOptions {
  socket?: SocketFactory;
  /** Delays between reconnection attempts grow to this (ms). Default 5000. */
  maxRetryMs?: number;
  /**
   * Asked after a connection attempt fails whether the server refuses this page (a browser's
   * WebSocket does not tell a refused handshake from a server that is down).
   */
  isRefused?: () => Promise<boolean>;
}

const OPEN = 1;

const DROPPED: ErrorData = {
  code: 'INTERNAL',
  message: 'the connection to rlmscope serve dropped before it answered; check whether the action took effect before trying again',
};
const REFUSED: ErrorData = {
  code: 'INVALID_INPUT',
  message: 'rlmscope serve no longer accepts this page (it was restarted): open the URL it printed',
};

interface PendingCall {
  message: ClientMessage;
  /** The params' field of bytes, sent as a binary frame; null for a JSON call. */
  binaryField: string | null;
  sent: boolean;
  resolve(value: unknown): void;
  reject(error: ErrorData): void;
}

interface Subscription {
  runId: string | null;
  listener: (event: RlmEvent) => void;
  /** The server's id on the current connection, once it answered. */
  serverId: number | null;
}

export function createWebSocketApi(url: string, options: WebSocketApiOptions = {}): WebSocketApi {
  const factory: SocketFactory = options.socket ?? ((u) => new WebSocket(u) as unknown as SocketLike);
  const maxRetryMs = options.maxRetryMs ?? 5000;
  const pending = new Map<number, PendingCall>();
  const subscriptions = new Map<number, Subscription>();
  const byServerId = new Map<number, Subscription>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let nextId = 1;
  let socket: SocketLike | null = null;
  let state: ConnectionState = 'connecting';
  let closed = false;
  let retryMs = 250;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  function setState(next: ConnectionState): void {
    if (state === next) return;
    state = next;
    for (const listener of [...stateListeners]) listener(next);
  }

  function send(message: ClientMessage, binaryField: string | null = null): boolean {
    if (socket?.readyState !== OPEN) return false;
    // Framed when sent, not when called: a call waiting for the connection holds its bytes once.
    socket.send(binaryField !== null && message.type === 'call' ? binaryFrame(message, binaryField) : JSON.stringify(message));
    return true;
  }

  function subscribeOnServer(localId: number, sub: Subscription): void {
    sub.serverId = null;
    send({ type: 'subscribe', id: -localId, runId: sub.runId });
  }

  function connect(): void {
    if (closed) return;
    setState('connecting');
    const ws = factory(url);
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      retryMs = 250;
      setState('open');
      byServerId.clear();
      // Subscriptions answer with negative ids, calls with positive ones.
      for (const [localId, sub] of subscriptions) subscribeOnServer(localId, sub);
      for (const call of pending.values()) if (!call.sent) call.sent = send(call.message, call.binaryField);
    };
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let message: ServerMessage;
      try {
        message = JSON.parse(event.data) as ServerMessage;
      } catch {
        return;
      }
      receive(message);
    };
    ws.onerror = () => undefined;
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      byServerId.clear();
      if (closed) return;
      failSent();
      setState('closed');
      if (opened || !options.isRefused) {
        scheduleRetry();
        return;
      }
      options.isRefused().then(
        (refused) => {
          if (closed) return;
          if (!refused) return scheduleRetry();
          // Retrying cannot help until the page is opened again with the new token.
          setState('refused');
          failAll(REFUSED);
        },
        () => scheduleRetry(),
      );
    };
  }

  function scheduleRetry(): void {
    if (closed) return;
    retryTimer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, maxRetryMs);
  }

  function receive(message: ServerMessage): void {
    if (message.type === 'result') {
      const call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      settle(call, message.outcome);
    } else if (message.type === 'subscribed') {
      const sub = subscriptions.get(-message.id);
      if (!sub) {
        // Unsubscribed while the answer was on its way.
        if (message.outcome.ok) send({ type: 'unsubscribe', subscriptionId: message.outcome.value.subscriptionId });
        return;
      }
      if (!message.outcome.ok) {
        console.error(`rlm: subscribing failed: ${message.outcome.error.message}`);
        return;
      }
      sub.serverId = message.outcome.value.subscriptionId;
      byServerId.set(sub.serverId, sub);
    } else if (message.type === 'event') {
      const sub = byServerId.get(message.subscriptionId);
      if (!sub) return;
      try {
        sub.listener(message.event);
      } catch (error) {
        console.error('rlm: an event listener threw:', error);
      }
    }
  }

  function settle(call: PendingCall, outcome: CallOutcome<unknown>): void {
    if (outcome?.ok === true) call.resolve(outcome.value);
    else if (outcome?.ok === false) call.reject({ code: outcome.error.code, message: outcome.error.message });
    else call.reject({ code: 'INTERNAL', message: 'the server sent an answer of an unknown shape' });
  }

  /** Calls the server got but did not answer: it may have run them, so they are not sent again. */
  function failSent(): void {
    for (const [id, call] of pending) {
      if (!call.sent) continue;
      pending.delete(id);
      call.reject(DROPPED);
    }
  }

  function failAll(error: ErrorData): void {
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  }

  connect();

  return {
    call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
      if (closed) return Promise.reject({ code: 'INTERNAL', message: 'the connection is closed' } satisfies ErrorData);
      if (state === 'refused') return Promise.reject(REFUSED);
      let binaryField: string | null;
      try {
        binaryField = binaryFieldOf(params);
      } catch (error) {
        return Promise.reject({ code: 'INVALID_INPUT', message: `${method}: ${(error as Error).message}` } satisfies ErrorData);
      }
      const id = nextId++;
      const message: ClientMessage = { type: 'call', id, method, params };
      return new Promise<MethodResult<M>>((resolve, reject) => {
        pending.set(id, { message, binaryField, sent: send(message, binaryField), resolve: resolve as (value: unknown) => void, reject });
      });
    },

    subscribe(runId: string | null, listener: (event: RlmEvent) => void): Unsubscribe {
      const localId = nextId++;
      const sub: Subscription = { runId, listener, serverId: null };
      subscriptions.set(localId, sub);
      subscribeOnServer(localId, sub);
      return () => {
        if (!subscriptions.delete(localId)) return;
        if (sub.serverId !== null) {
          byServerId.delete(sub.serverId);
          send({ type: 'unsubscribe', subscriptionId: sub.serverId });
        }
      };
    },

    state: () => state,

    onStateChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },

    close() {
      if (closed) return;
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      failAll({ code: 'INTERNAL', message: 'the connection is closed' });
      subscriptions.clear();
      byServerId.clear();
      socket?.close(1000, 'closed');
      socket = null;
      setState('closed');
    },
  };
}

/**
 * The frame as a Blob rather than one Uint8Array: Chromium's WebSocket.send copies an
 * ArrayBufferView on the page's main thread at ~25 ms per MiB, while a Blob is sent from the
 * blob store off it; building the Blob costs ~11 ms per MiB (measured in Chromium 150, 1 MiB
 * frames). The frame on the wire is the same.
 */
function binaryFrame(message: Extract<ClientMessage, { type: 'call' }>, field: string): Blob {
  const { head, bytes } = encodeBinaryCallParts(message, field);
  // Never over a SharedArrayBuffer, which a Blob refuses: the page is not cross-origin isolated.
  return new Blob([head, bytes as Uint8Array<ArrayBuffer>]);
}
