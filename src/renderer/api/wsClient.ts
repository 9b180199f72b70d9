// The RlmApi over browser mode's WebSocket (src/shared/wsProtocol.ts): an adapter of the client
// core (src/shared/apiClient.ts, calls, cancels and subscriptions) to a socket. It reconnects by itself
// after the connection drops (the server restarted, the laptop slept) and subscribes again, so
// the page keeps receiving events; calls made while it is down wait for the connection. A call
// already sent when the connection drops fails instead of being sent again: the server may have
// run it (a second `runs.start` would be a second paid run).
// A call whose params hold a Uint8Array (an upload chunk) goes as one binary frame
// (wsProtocol.ts), its bytes as they are, not as base64 inside JSON.
// No DOM beyond the WebSocket constructor, which tests under Node pass in (the `ws` package).
import type { MethodName, MethodParams, MethodResult, RlmApi } from '../../shared/api';
import { createApiClient } from '../../shared/apiClient';
import type { CallOptions } from '../../shared/cancellation';
import type { ErrorData } from '../../shared/errors';
import { binaryFieldOf, decodeBinaryResult, encodeBinaryCallParts, type ClientMessage, type ServerMessage } from '../../shared/wsProtocol';

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
  binaryType?: string;
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
/** What a call fails with once the server refuses this page (also over HTTP: indexOverHttp.ts). */
export const REFUSED: ErrorData = {
  code: 'INVALID_INPUT',
  message: 'rlmscope serve no longer accepts this page (it was restarted): open the URL it printed',
};

export function createWebSocketApi(url: string, options: WebSocketApiOptions = {}): WebSocketApi {
  const factory: SocketFactory = options.socket ?? ((u) => new WebSocket(u) as unknown as SocketLike);
  const maxRetryMs = options.maxRetryMs ?? 5000;
  const stateListeners = new Set<(state: ConnectionState) => void>();
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

  function send(message: ClientMessage): boolean {
    if (socket?.readyState !== OPEN) return false;
    // Framed when sent, not when called: a call waiting for the connection holds its bytes once.
    const binaryField = message.type === 'call' ? binaryFieldOf(message.params) : null;
    socket.send(binaryField !== null && message.type === 'call' ? binaryFrame(message, binaryField) : JSON.stringify(message));
    return true;
  }

  // Subscriptions answer with negative ids, calls with positive ones (the core numbers both).
  const client = createApiClient(
    {
      sendCall: (id, method, params) => send({ type: 'call', id, method, params }),
      sendCancel: (id) => void send({ type: 'cancel', id }),
      sendSubscribe: (localId, runId) => void send({ type: 'subscribe', id: -localId, runId }),
      sendUnsubscribe: (serverId) => void send({ type: 'unsubscribe', subscriptionId: serverId }),
    },
    { peerName: 'the server', dropped: DROPPED, report: (message, error) => (error === undefined ? console.error(message) : console.error(message, error)) },
  );

  function connect(): void {
    if (closed) return;
    setState('connecting');
    const ws = factory(url);
    // Binary frames as ArrayBuffers, read in place; a Blob would need an asynchronous read.
    ws.binaryType = 'arraybuffer';
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      retryMs = 250;
      setState('open');
      client.connected();
    };
    ws.onmessage = (event) => {
      if (event.data instanceof ArrayBuffer) {
        // A result whose value holds bytes (a run's node index), in a binary frame (wsProtocol.ts).
        const frame = decodeBinaryResult(new Uint8Array(event.data));
        if (frame.ok) receive(frame.message);
        else console.error(`rlmscope: ${frame.error}`);
        return;
      }
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
      if (closed) return;
      client.disconnected();
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
          client.failAll(REFUSED);
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
    if (message.type === 'result') client.settle(message.id, message.outcome);
    else if (message.type === 'subscribed') client.subscribed(-message.id, message.outcome);
    else if (message.type === 'event') client.event(message.subscriptionId, message.event);
  }

  connect();

  return {
    call<M extends MethodName>(method: M, params: MethodParams<M>, callOptions?: CallOptions): Promise<MethodResult<M>> {
      if (closed) return Promise.reject({ code: 'INTERNAL', message: 'the connection is closed' } satisfies ErrorData);
      if (state === 'refused') return Promise.reject(REFUSED);
      try {
        binaryFieldOf(params);
      } catch (error) {
        return Promise.reject({ code: 'INVALID_INPUT', message: `${method}: ${(error as Error).message}` } satisfies ErrorData);
      }
      return client.api.call(method, params, callOptions);
    },

    subscribe: (runId, listener) => client.api.subscribe(runId, listener),

    state: () => state,

    onStateChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },

    close() {
      if (closed) return;
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      client.failAll({ code: 'INTERNAL', message: 'the connection is closed' });
      client.clearSubscriptions();
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
