// One page's WebSocket: the RlmApi's `call`, `cancel` and `subscribe` (src/shared/wsProtocol.ts)
// served to it: the socket's adapter of the transport core (src/main/transport/apiConnection.ts),
// which owns the page's subscriptions and calls in flight, ending and aborting them all when it
// closes. What is the socket's own stays here: message parsing, binary frames, backpressure.
//
// SECURITY: the page is a peer to check, not to trust (it passed the token and Origin checks at
// the upgrade, but a compromised page is still a page). Every message is validated (a binary
// frame is unpacked by wsProtocol.ts and then checked as a text message is), its size is
// capped by the server's maxPayload, method names are checked by the core and params by the
// service's schemas, nothing thrown crosses the wire as anything but `{ ok: false, error }`, and a page
// that stops reading is disconnected rather than buffered for without bound.
import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import type { RlmApi } from '../../shared/api';
import { binaryFieldOf, decodeBinaryCall, encodeBinaryResult, type ClientMessage, type ServerMessage } from '../../shared/wsProtocol';
import { createApiConnection, failure } from '../transport/apiConnection';

export interface ConnectionLimits {
  /** Bytes queued for the page past which it is considered stuck and disconnected. */
  maxBufferedBytes: number;
  /** Subscriptions one page may hold (the app holds a handful). */
  maxSubscriptions: number;
  /** Calls one page may have in flight; past it the socket stops being read until one ends. */
  maxInFlight: number;
}

export interface ApiConnection {
  subscriptionCount(): number;
  /** Calls whose handlers are still running (a cancel or a close aborts their signals). */
  inFlightCount(): number;
  /** Ends every subscription; the socket is closed by its owner. */
  dispose(): void;
}

const id = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

// Strict: a field the protocol does not know is a client bug worth an error, not a silent pass.
const clientMessageSchema: z.ZodType<ClientMessage> = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('call'), id, method: z.string().max(200), params: z.unknown() }),
  z.strictObject({ type: z.literal('subscribe'), id, runId: z.string().min(1).max(100).nullable() }),
  z.strictObject({ type: z.literal('unsubscribe'), subscriptionId: id }),
  z.strictObject({ type: z.literal('cancel'), id }),
]) as z.ZodType<ClientMessage>;

/** Close code for a message that cannot even be answered (RFC 6455 §7.4.1: policy violation). */
export const CLOSE_INVALID_MESSAGE = 1008;

export function serveConnection(ws: WebSocket, api: RlmApi, limits: ConnectionLimits, log: (line: string) => void): ApiConnection {
  const core = createApiConnection(api, {
    maxSubscriptions: limits.maxSubscriptions,
    send: (subscriptionId, event) => send({ type: 'event', subscriptionId, event }),
  });
  let inFlight = 0;
  let disposed = false;

  function send(message: ServerMessage): void {
    if (disposed || ws.readyState !== ws.OPEN) return;
    let text: string | Uint8Array;
    try {
      // A value holding bytes (a run's node index) goes as one binary frame, its bytes as they are.
      const field = message.type === 'result' && message.outcome.ok ? binaryFieldOf(message.outcome.value) : null;
      text = field !== null && message.type === 'result' && message.outcome.ok ? encodeBinaryResult(message.id, message.outcome.value as Record<string, unknown>, field) : JSON.stringify(message);
    } catch (error) {
      // A value that cannot be sent (too long for one JavaScript string: "Invalid string
      // length"; or not serialisable) fails that one call, never the server (issue 9: three
      // 200 MiB answers in runs.list killed `rlmscope serve` at every page load).
      const reason = `the answer could not be sent: ${error instanceof Error ? error.message : String(error)}`;
      log(`rlmscope: ${reason} (${message.type})`);
      if (message.type === 'event') return;
      text = JSON.stringify({ type: message.type, id: message.id, outcome: failure('INTERNAL', reason) });
    }
    try {
      ws.send(text);
    } catch (error) {
      log(`rlmscope: a send to a page failed (${error instanceof Error ? error.message : String(error)}); disconnecting it`);
      dispose();
      ws.terminate();
      return;
    }
    if (ws.bufferedAmount > limits.maxBufferedBytes) {
      // The page stopped reading (a frozen tab, a debugger pause) while events kept coming.
      // Dropping it is safe: the page reconnects and reloads what it shows from the store.
      log(`rlmscope: a page fell ${ws.bufferedAmount} bytes behind; disconnecting it`);
      dispose();
      ws.terminate();
    }
  }

  async function call(message: Extract<ClientMessage, { type: 'call' }>): Promise<void> {
    send({ type: 'result', id: message.id, outcome: await core.call(message.method, message.params, message.id) });
  }

  function receive(data: RawData, isBinary: boolean): void {
    let raw: unknown;
    if (isBinary) {
      // The bytes reach the service as a Buffer view into the frame: no copy, no base64.
      const frame = decodeBinaryCall(toBuffer(data));
      if (!frame.ok) return rejectInvalid(frame.header, frame.error);
      raw = frame.message;
    } else {
      raw = parseJson(data);
    }
    const parsed = clientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      rejectInvalid(raw, issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'not a JSON object');
      return;
    }
    const message = parsed.data;
    if (message.type === 'unsubscribe') return core.unsubscribe(message.subscriptionId);
    if (message.type === 'cancel') return core.cancel(message.id);
    if (message.type === 'subscribe') return send({ type: 'subscribed', id: message.id, outcome: core.subscribe(message.runId) });
    inFlight++;
    // TCP backpressure on a page that sends calls faster than they end (each may carry an
    // 8 MiB upload chunk): stop reading its socket until some finish.
    if (inFlight >= limits.maxInFlight) ws.pause();
    void call(message).finally(() => {
      inFlight--;
      if (inFlight < limits.maxInFlight && !disposed) ws.resume();
    });
  }

  /** Answers by id when the message has one; a message that cannot be answered ends the connection. */
  function rejectInvalid(raw: unknown, what: string): void {
    const message = `invalid message: ${what}`;
    const fields = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const answerable = typeof fields.id === 'number' && Number.isSafeInteger(fields.id);
    if (answerable && fields.type === 'call') {
      send({ type: 'result', id: fields.id as number, outcome: failure('INVALID_INPUT', message) });
    } else if (answerable && fields.type === 'subscribe') {
      send({ type: 'subscribed', id: fields.id as number, outcome: failure('INVALID_INPUT', message) });
    } else {
      ws.close(CLOSE_INVALID_MESSAGE, 'invalid message');
    }
  }

  function dispose(): void {
    if (disposed) return;
    disposed = true;
    // Its subscriptions end, and its calls in flight are aborted: nobody is left to answer.
    core.close();
  }

  ws.on('message', receive);
  ws.on('close', dispose);
  ws.on('error', dispose);

  return { subscriptionCount: () => core.subscriptionCount(), inFlightCount: () => core.inFlightCount(), dispose };
}

function toBuffer(data: RawData): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function parseJson(data: RawData): unknown {
  try {
    return JSON.parse(toBuffer(data).toString('utf8'));
  } catch {
    return null;
  }
}
