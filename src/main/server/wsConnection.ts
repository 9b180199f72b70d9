// One page's WebSocket: the RlmApi's `call` and `subscribe` (src/shared/wsProtocol.ts) served to
// it, with its subscriptions owned by the connection and all removed when it closes.
//
// SECURITY: the page is a peer to check, not to trust (it passed the token and Origin checks at
// the upgrade, but a compromised page is still a page). Every message is validated (a binary
// frame is unpacked by wsProtocol.ts and then checked as a text message is), its size is
// capped by the server's maxPayload, method names are checked here and params by the service's
// schemas, nothing thrown crosses the wire as anything but `{ ok: false, error }`, and a page
// that stops reading is disconnected rather than buffered for without bound.
import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import type { CallOutcome, MethodParams, RlmApi, Unsubscribe } from '../../shared/api';
import { isMethodName } from '../../shared/api';
import { toErrorData, type ErrorCode } from '../../shared/errors';
import { decodeBinaryCall, type ClientMessage, type ServerMessage } from '../../shared/wsProtocol';

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
  /** Ends every subscription; the socket is closed by its owner. */
  dispose(): void;
}

const id = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

// Strict: a field the protocol does not know is a client bug worth an error, not a silent pass.
const clientMessageSchema: z.ZodType<ClientMessage> = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('call'), id, method: z.string().max(200), params: z.unknown() }),
  z.strictObject({ type: z.literal('subscribe'), id, runId: z.string().min(1).max(100).nullable() }),
  z.strictObject({ type: z.literal('unsubscribe'), subscriptionId: id }),
]) as z.ZodType<ClientMessage>;

/** Close code for a message that cannot even be answered (RFC 6455 §7.4.1: policy violation). */
export const CLOSE_INVALID_MESSAGE = 1008;

export function serveConnection(ws: WebSocket, api: RlmApi, limits: ConnectionLimits, log: (line: string) => void): ApiConnection {
  const subscriptions = new Map<number, Unsubscribe>();
  let nextSubscriptionId = 1;
  let inFlight = 0;
  let disposed = false;

  function send(message: ServerMessage): void {
    if (disposed || ws.readyState !== ws.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify(message);
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
    let outcome: CallOutcome<unknown>;
    try {
      if (!isMethodName(message.method)) {
        outcome = failure('INVALID_INPUT', `unknown method ${JSON.stringify(message.method.slice(0, 100))}`);
      } else {
        // The params are validated by the service against the method's schema.
        outcome = { ok: true, value: await api.call(message.method, message.params as MethodParams<typeof message.method>) };
      }
    } catch (error) {
      outcome = { ok: false, error: toErrorData(error) };
    }
    send({ type: 'result', id: message.id, outcome });
  }

  function subscribe(message: Extract<ClientMessage, { type: 'subscribe' }>): void {
    if (subscriptions.size >= limits.maxSubscriptions) {
      send({ type: 'subscribed', id: message.id, outcome: failure('INVALID_INPUT', `subscribe: at most ${limits.maxSubscriptions} subscriptions per page`) });
      return;
    }
    const subscriptionId = nextSubscriptionId++;
    try {
      subscriptions.set(subscriptionId, api.subscribe(message.runId, (event) => send({ type: 'event', subscriptionId, event })));
      send({ type: 'subscribed', id: message.id, outcome: { ok: true, value: { subscriptionId } } });
    } catch (error) {
      send({ type: 'subscribed', id: message.id, outcome: { ok: false, error: toErrorData(error) } });
    }
  }

  function unsubscribe(subscriptionId: number): void {
    // Only this page's own ids are looked up; an unknown one is already gone.
    const end = subscriptions.get(subscriptionId);
    subscriptions.delete(subscriptionId);
    end?.();
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
    if (message.type === 'unsubscribe') return unsubscribe(message.subscriptionId);
    if (message.type === 'subscribe') return subscribe(message);
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
    for (const end of subscriptions.values()) end();
    subscriptions.clear();
  }

  ws.on('message', receive);
  ws.on('close', dispose);
  ws.on('error', dispose);

  return { subscriptionCount: () => subscriptions.size, dispose };
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

function failure(code: ErrorCode, message: string): { ok: false; error: { code: ErrorCode; message: string } } {
  return { ok: false, error: { code, message } };
}
