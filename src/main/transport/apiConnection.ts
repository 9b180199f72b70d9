// The server half of every transport of the RlmApi: one page's connection, whether it comes over
// Electron IPC (src/main/electron/ipcRouter.ts) or a WebSocket (src/main/server/wsConnection.ts),
// which are thin adapters around it. It checks what the page names (the method, the run id), hands
// the call to the service (which validates the params against the method's schema), owns the
// page's subscriptions and its calls in flight, and turns every failure into plain data with a
// stable code: nothing thrown crosses a transport.
// Cancellation is part of the wire, as in VS Code's ChannelServer
// (src/vs/base/parts/ipc/common/ipc.ts): each call's handler gets a signal, aborted when the page
// cancels that call or goes away (socket closed, page reloaded or destroyed), so a long call
// (a document search) stops working for nobody.
import type { CallOutcome, MethodParams, RlmApi, RlmEvent, Unsubscribe } from '../../shared/api';
import { isMethodName } from '../../shared/api';
import { toErrorData, type ErrorCode } from '../../shared/errors';

export interface ApiConnectionOptions {
  /** Delivers an event of one of this connection's subscriptions to the page. */
  send(subscriptionId: number, event: RlmEvent): void;
  /** Subscriptions one page may hold; unbounded when absent. */
  maxSubscriptions?: number;
  /** The id of a new subscription; numbered per connection when absent. */
  nextSubscriptionId?: () => number;
}

export interface ApiConnection {
  /**
   * Runs a call. `callId`: the page's id for it, given when the page may cancel it. A call the
   * page cancels still settles here (with whatever its handler did with the signal).
   */
  call(method: unknown, params: unknown, callId?: number): Promise<CallOutcome<unknown>>;
  /** The page gave up on call `callId`; an unknown id is not an error (it ended). */
  cancel(callId: number): void;
  subscribe(runId: unknown): CallOutcome<{ subscriptionId: number }>;
  /** Only this connection's own ids are looked up; an unknown one is already gone. */
  unsubscribe(subscriptionId: number): void;
  subscriptionCount(): number;
  inFlightCount(): number;
  /** Ends every subscription and aborts every call in flight: the page is gone. */
  close(): void;
}

export function createApiConnection(api: RlmApi, options: ApiConnectionOptions): ApiConnection {
  const subscriptions = new Map<number, Unsubscribe>();
  const inFlight = new Set<AbortController>();
  const byCallId = new Map<number, AbortController>();
  let localSubscriptionId = 1;
  let closed = false;

  return {
    async call(method, params, callId) {
      if (!isMethodName(method)) return failure('INVALID_INPUT', `unknown method ${describe(method)}`);
      const controller = new AbortController();
      inFlight.add(controller);
      // A page that reuses an id in flight can cancel only its latest call of that id.
      if (callId !== undefined) byCallId.set(callId, controller);
      if (closed) controller.abort();
      try {
        // The params are validated by the service against the method's schema.
        return { ok: true, value: await api.call(method, params as MethodParams<typeof method>, { signal: controller.signal }) };
      } catch (error) {
        return { ok: false, error: toErrorData(error) };
      } finally {
        inFlight.delete(controller);
        if (callId !== undefined && byCallId.get(callId) === controller) byCallId.delete(callId);
      }
    },

    cancel(callId) {
      byCallId.get(callId)?.abort();
    },

    subscribe(runId) {
      if (runId !== null && (typeof runId !== 'string' || runId.length === 0 || runId.length > 100)) {
        return failure('INVALID_INPUT', 'subscribe: runId must be a run id or null');
      }
      // A page already gone (a socket's frames still buffered when it was cut off) would hold a
      // subscription nobody ends.
      if (closed) return failure('INVALID_INPUT', 'subscribe: the page is gone');
      if (options.maxSubscriptions !== undefined && subscriptions.size >= options.maxSubscriptions) {
        return failure('INVALID_INPUT', `subscribe: at most ${options.maxSubscriptions} subscriptions per page`);
      }
      try {
        const subscriptionId = options.nextSubscriptionId?.() ?? localSubscriptionId++;
        subscriptions.set(subscriptionId, api.subscribe(runId, (event) => options.send(subscriptionId, event)));
        return { ok: true, value: { subscriptionId } };
      } catch (error) {
        return { ok: false, error: toErrorData(error) };
      }
    },

    unsubscribe(subscriptionId) {
      const end = subscriptions.get(subscriptionId);
      if (!end) return;
      subscriptions.delete(subscriptionId);
      end();
    },

    subscriptionCount: () => subscriptions.size,
    inFlightCount: () => inFlight.size,

    close() {
      closed = true;
      const ends = [...subscriptions.values()];
      subscriptions.clear();
      for (const end of ends) end();
      const calls = [...inFlight];
      byCallId.clear();
      for (const controller of calls) controller.abort();
    },
  };
}

export function failure(code: ErrorCode, message: string): { ok: false; error: { code: ErrorCode; message: string } } {
  return { ok: false, error: { code, message } };
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 100)) : `(a ${value === null ? 'null' : typeof value})`;
}
