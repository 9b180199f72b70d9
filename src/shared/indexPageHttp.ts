// Browser mode's HTTP route for the pages of a run's node index after the first:
// `GET /index/<runId>?after=<id>&limit=<n>` answers with the bytes `runs.nodeIndex` returns (a
// JSON array of IndexTuple, nodeIndex.ts) as the body and the rest of the NodeIndex in headers.
// Why not the WebSocket: Chromium reads a WebSocket message's data on the page's main thread in
// ~130 KB hops, so a 1.6 MB page only moved while the page was idle (10 pages of 1.6 MB: 500-550
// ms over the socket against ~360 ms with fetch, with the page decoding each for 27 ms), while
// fetch's body arrives off the main thread and overlaps the page's work. Both sides read the
// route from here: the server (httpHandler.ts) and the page (renderer/api/indexPages.ts).
import { checkIndexBase, NODE_INDEX_ENCODING, type IndexBase, type NodeIndex } from './nodeIndex';

/** The route's first path segment. */
export const INDEX_PAGE_SEGMENT = 'index';

/** The page's metadata, in response headers (lower case, as Node hands them over). */
export const INDEX_PAGE_HEADERS = {
  encoding: 'x-rlm-index-encoding',
  /**
   * The IndexBase, as JSON in percent-encoding (a header is ASCII). Its models are short: the
   * store codes none longer than MAX_BASE_MODEL_BYTES (store/nodeIndexSql.ts).
   */
  base: 'x-rlm-index-base',
  /** The last node's id in the body; empty when the body is `[]`. */
  lastId: 'x-rlm-index-last-id',
  /** `1` when the page reaches the end of the run's nodes, else `0`. */
  complete: 'x-rlm-index-complete',
  /** The run's node count; empty when not counted (pages after the first). */
  total: 'x-rlm-index-total',
} as const;

/** The target of one page: the nodes after `afterId`, at most `limit`. */
export function indexPagePath(runId: string, afterId: number, limit?: number): string {
  const query = limit === undefined ? `after=${afterId}` : `after=${afterId}&limit=${limit}`;
  return `/${INDEX_PAGE_SEGMENT}/${encodeURIComponent(runId)}?${query}`;
}

/** The headers that carry everything of `index` but its bytes. */
export function indexPageHeaders(index: Omit<NodeIndex, 'bytes'>): Record<string, string> {
  return {
    [INDEX_PAGE_HEADERS.encoding]: index.encoding,
    [INDEX_PAGE_HEADERS.base]: encodeURIComponent(JSON.stringify(index.base)),
    [INDEX_PAGE_HEADERS.lastId]: index.lastId === null ? '' : String(index.lastId),
    [INDEX_PAGE_HEADERS.complete]: index.complete ? '1' : '0',
    [INDEX_PAGE_HEADERS.total]: index.total === null ? '' : String(index.total),
  };
}

/**
 * An id or count in a header or query: decimal digits only (no sign, exponent or spaces), up to
 * 2^53 - 1 (a portable file keeps its node ids, any such number).
 */
function wholeNumber(text: string | null | undefined): number | null {
  if (text === null || text === undefined || !/^\d{1,16}$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

/**
 * The page's parameters from the route's query: `after` required, `limit` optional, both whole
 * numbers; a string naming what is wrong otherwise. The service checks their ranges
 * (nodeIndexSchema), as for a call over the WebSocket.
 */
export function readIndexPageQuery(get: (name: string) => string | null): { afterId: number; limit?: number } | string {
  const afterId = wholeNumber(get('after'));
  if (afterId === null) return 'after: a node id (a whole number) is required';
  const limitText = get('limit');
  if (limitText === null) return { afterId };
  const limit = wholeNumber(limitText);
  if (limit === null) return 'limit: not a whole number';
  return { afterId, limit };
}

/** The NodeIndex of a response: its headers and body; a string naming what is wrong otherwise. */
export function readIndexPage(get: (name: string) => string | null, bytes: Uint8Array): NodeIndex | string {
  const encoding = get(INDEX_PAGE_HEADERS.encoding);
  if (encoding !== NODE_INDEX_ENCODING) return `the index page has an unknown encoding (${String(encoding).slice(0, 40)})`;
  const base = readBase(get(INDEX_PAGE_HEADERS.base));
  if (typeof base === 'string') return base;
  const lastText = get(INDEX_PAGE_HEADERS.lastId);
  const lastId = lastText === '' ? null : wholeNumber(lastText);
  if (lastId === null && lastText !== '') return 'the index page has no last node id';
  const complete = get(INDEX_PAGE_HEADERS.complete);
  if (complete !== '0' && complete !== '1') return 'the index page does not say whether it is the last';
  const totalText = get(INDEX_PAGE_HEADERS.total);
  const total = totalText === '' ? null : wholeNumber(totalText);
  if (total === null && totalText !== '') return 'the index page has no node count';
  return { encoding: NODE_INDEX_ENCODING, bytes, base, lastId, complete: complete === '1', total };
}

function readBase(text: string | null): IndexBase | string {
  let base: unknown;
  try {
    base = JSON.parse(decodeURIComponent(text ?? ''));
  } catch {
    return 'the index page has no base it counts from';
  }
  return checkIndexBase(base) ?? (base as IndexBase);
}
