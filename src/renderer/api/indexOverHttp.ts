// Browser mode: the pages of a run's node index after the first come over HTTP
// (`GET /index/<runId>?after=…`, shared/indexPageHttp.ts), everything else over the WebSocket.
// The browser receives a fetch's body off the page's main thread, while it reads a WebSocket
// message on it, and only between the page's tasks: the rest of a 100,000-node index arrived
// while the page decoded the page before, rather than after it (measured in Chromium: see
// indexPageHttp.ts). The run store does not know: it calls `runs.nodeIndex` as before.
//
// ORDER (what the run store's "subscribe first, then read" relies on, runStore.ts): only pages
// with `afterId > 0` go this way, and the run store asks for one only once an earlier page's
// answer has arrived over the socket (run/indexPages.ts). That page's call went on the socket
// after the run's subscribe message, and the server handles a socket's messages in order, a
// subscribe taking effect as it is handled (wsConnection.ts): so by the time this request leaves,
// the subscription holds, and whatever changes after the service reads this page reaches the page
// as an event. A first page (afterId 0) must stay on the socket: over another connection it could
// be read before the subscribe message is handled, and a change in between would be lost.
import type { MethodName, MethodParams, MethodResult, RlmApi } from '../../shared/api';
import type { AbortSignalLike, CallOptions } from '../../shared/cancellation';
import { abortReason } from '../../shared/cancellation';
import { isErrorData, type ErrorData } from '../../shared/errors';
import { indexPagePath, readIndexPage } from '../../shared/indexPageHttp';
import type { NodeIndex } from '../../shared/nodeIndex';
import { REFUSED } from './wsClient';

export interface IndexPageRequest {
  runId: string;
  afterId: number;
  limit?: number;
}

/** Reads one page of a run's index; rejects with ErrorData, or the signal's reason. */
export type IndexPageReader = (request: IndexPageRequest, signal?: AbortSignalLike) => Promise<NodeIndex>;

/** `api`, with the index pages after the first read by `readPage`. */
export function withIndexPagesOverHttp(api: RlmApi, readPage: IndexPageReader): RlmApi {
  return {
    call<M extends MethodName>(method: M, params: MethodParams<M>, options?: CallOptions): Promise<MethodResult<M>> {
      if (method === 'runs.nodeIndex') {
        const { runId, afterId, limit } = params as MethodParams<'runs.nodeIndex'>;
        // See ORDER above: never a first page.
        if (afterId !== undefined && afterId > 0) return readPage({ runId, afterId, ...(limit === undefined ? {} : { limit }) }, options?.signal) as Promise<MethodResult<M>>;
      }
      return api.call(method, params, options);
    },
    subscribe: (runId, listener) => api.subscribe(runId, listener),
  };
}

const UNREACHABLE: ErrorData = { code: 'INTERNAL', message: 'rlmscope serve did not answer for a page of the run\'s nodes: is it still running?' };

/**
 * Reads pages from the server at `origin` ('' for the page's own) with `fetchImpl`. The page's
 * cookie carries the token (same origin); tests under Node pass a fetch that adds it.
 */
export function fetchIndexPages(fetchImpl: typeof fetch = (input, init) => fetch(input, init), origin = ''): IndexPageReader {
  return async ({ runId, afterId, limit }, signal) => {
    if (signal?.aborted) throw abortReason(signal);
    const controller = new AbortController();
    const onAbort = () => controller.abort(abortReason(signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let response: Response;
      let bytes: Uint8Array;
      try {
        response = await fetchImpl(`${origin}${indexPagePath(runId, afterId, limit)}`, { cache: 'no-store', credentials: 'same-origin', signal: controller.signal });
        bytes = new Uint8Array(await response.arrayBuffer());
      } catch (error) {
        if (signal?.aborted) throw abortReason(signal);
        throw { ...UNREACHABLE, message: `${UNREACHABLE.message} (${error instanceof Error ? error.message : String(error)})` } satisfies ErrorData;
      }
      if (response.status === 200) {
        const index = readIndexPage((name) => response.headers.get(name), bytes);
        if (typeof index === 'string') throw { code: 'INTERNAL', message: index } satisfies ErrorData;
        return index;
      }
      // The server no longer accepts this page's cookie: it restarted with a new token.
      if (response.status === 403) throw REFUSED;
      throw errorOf(bytes, response.status);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  };
}

/** The service's `{ code, message }` of a refusal, or what the status says. */
function errorOf(bytes: Uint8Array, status: number): ErrorData {
  try {
    const body = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (isErrorData(body)) return { code: body.code, message: body.message };
  } catch {
    // Not the service's answer (a bare 404 or 405): said by its status below.
  }
  return { code: 'INTERNAL', message: `rlmscope serve refused a page of the run's nodes (HTTP ${status})` };
}
