// Answers the browser-mode server's plain HTTP requests: the page and its assets, the pages of a
// run's node index, the downloads of exported runs and the bytes of uploads, behind the checks of
// requestGuard.ts.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RlmApi } from '../../shared/api';
import { RlmError, toErrorData } from '../../shared/errors';
import { indexPageHeaders, INDEX_PAGE_SEGMENT, readIndexPageQuery } from '../../shared/indexPageHttp';
import type { ExportDownloads } from '../service/runExports';
import type { SliceRange } from '../service/uploads';
import { securityHeaders } from './headers';
import { checkAccess, isAllowedHost, isAllowedOrigin, parseTarget, type GuardConfig } from './requestGuard';
import { resolveStatic } from './staticFiles';
import { sliceRange } from './uploadSlice';
import { tokenCookie } from './token';

export interface HttpContext extends GuardConfig {
  /** Real path of the built page's folder (staticFiles.openRendererDir). */
  rootReal: string;
  /** The service whose `runs.nodeIndex` pages `/index/…` serves; without it, `/index/…` is not found. */
  api?: Pick<RlmApi, 'call'>;
  /** Exported runs the page asked for (`interop.export`); without it, `/downloads/…` is not found. */
  downloads?: ExportDownloads;
  /** Uploads begun over the WebSocket (`uploads.begin`); without it, `/uploads/…` is not found. */
  uploads?: UploadReceiver;
}

/** The part of the service's uploads that takes a file's bytes as one stream (uploads.ts). */
export interface UploadReceiver {
  receive(uploadId: string, body: AsyncIterable<Buffer>, range?: SliceRange): Promise<{ received: number; complete: boolean }>;
}

const REFUSED = 'Forbidden: open the URL that `rlmscope serve` printed; it carries this session\'s access token.\n';

export async function handleHttp(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = securityHeaders(ctx.port);
  // SECURITY: the order matters. Host first (a rebound DNS name learns nothing, not even
  // whether a path exists), then the path's shape (the token redirect echoes it), then the
  // token; only then is anything read from the disk.
  if (!isAllowedHost(req.headers.host, ctx.port)) return text(res, 403, headers, 'Forbidden: unexpected Host header.\n');
  const target = parseTarget(req.url);
  if (!target) return text(res, 400, headers, 'Bad request: invalid path.\n');
  const access = checkAccess(req.headers, target, ctx);
  if (access.kind === 'refused') return text(res, 403, headers, REFUSED);
  if (access.kind === 'query') {
    // 303: the next request is a plain GET of the same path, now carrying the cookie.
    res.writeHead(303, { ...headers, 'Set-Cookie': tokenCookie(ctx.port, ctx.token), Location: access.location, 'Cache-Control': 'no-store', 'Content-Length': 0 });
    res.end();
    return;
  }
  if (target.segments[0] === INDEX_PAGE_SEGMENT) return indexPage(ctx, req, res, target.segments, target.query, headers);
  if (target.segments[0] === 'downloads') return download(ctx, req, res, target.segments, headers);
  if (target.segments[0] === 'uploads') return upload(ctx, req, res, target.segments, target.query, headers);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return text(res, 405, { ...headers, Allow: 'GET, HEAD' }, 'Method not allowed.\n');
  }
  const file = await resolveStatic(ctx.rootReal, target.segments);
  if (file.kind === 'notFound' && target.path === '/favicon.ico') {
    // Browsers ask for it on their own; without an icon in the build, "no content" rather than
    // a 404 that every page load would log as an error in the console.
    res.writeHead(204, { ...headers, 'Cache-Control': 'no-store' });
    res.end();
    return;
  }
  if (file.kind === 'notFound') return text(res, 404, headers, 'Not found.\n');
  res.writeHead(200, {
    ...headers,
    'Content-Type': file.contentType,
    'Content-Length': file.size,
    // index.html names the current build's hashed assets: always fetch it anew. The assets
    // themselves may be revalidated (there is no ETag, so they are simply fetched again).
    'Cache-Control': file.isIndex ? 'no-store' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file.path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/**
 * `GET /index/<runId>?after=<id>&limit=<n>`: a page of the run's node index, the bytes of
 * `runs.nodeIndex` as the body and the rest in headers (shared/indexPageHttp.ts), or the
 * service's `{ code, message }`. Only reached with the page's cookie (checkAccess above); it reads
 * what the WebSocket's `runs.nodeIndex` reads, through the same service call and its checks.
 * SECURITY: no Origin check, unlike an upload: a browser sends none with a same-origin GET. It
 * changes nothing, so a forged request gains nothing; another site's page cannot send the
 * cookie (SameSite=Strict) nor read the answer (no CORS; Cross-Origin-Resource-Policy).
 */
async function indexPage(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, segments: string[], query: URLSearchParams, headers: Record<string, string>): Promise<void> {
  if (req.method !== 'GET') return text(res, 405, { ...headers, Allow: 'GET' }, 'Method not allowed.\n');
  const runId = segments.length === 2 ? segments[1] : undefined;
  if (runId === undefined || !ctx.api) return text(res, 404, headers, 'Not found.\n');
  const params = readIndexPageQuery((name) => (query.getAll(name).length > 1 ? '' : query.get(name)));
  if (typeof params === 'string') return json(res, 400, headers, { code: 'INVALID_INPUT', message: `runs.nodeIndex: ${params}` });
  let index;
  try {
    index = await ctx.api.call('runs.nodeIndex', { runId, ...params });
  } catch (error) {
    const data = toErrorData(error);
    return json(res, errorStatus(data.code), headers, data);
  }
  res.writeHead(200, {
    ...headers,
    ...indexPageHeaders(index),
    'Content-Type': 'application/json',
    'Content-Length': index.bytes.byteLength,
    // The run changes while it goes: every page is read anew.
    'Cache-Control': 'no-store',
  });
  res.end(index.bytes);
}

/**
 * `GET /downloads/<ticket>`: an exported run, streamed as the exporter writes it. Only reached
 * with the page's cookie (checkAccess above), and the ticket (runExports.ts) names the run and
 * the format: nothing in the URL is a path or a run id the server would act on by itself.
 */
async function download(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, segments: string[], headers: Record<string, string>): Promise<void> {
  // Not HEAD: a ticket works once, and a HEAD would spend it on nothing.
  if (req.method !== 'GET') return text(res, 405, { ...headers, Allow: 'GET' }, 'Method not allowed.\n');
  const ticket = segments.length === 2 ? segments[1] : undefined;
  let file;
  try {
    file = ticket !== undefined && ctx.downloads ? ctx.downloads.open(ticket) : null;
  } catch (error) {
    if (error instanceof RlmError && error.code === 'NOT_FOUND') return text(res, 404, headers, `Not exported: ${error.message}.\n`);
    throw error;
  }
  if (!file) return text(res, 404, headers, 'This download link has expired or was used already: export the run again from the page.\n');
  res.writeHead(200, {
    ...headers,
    'Content-Type': file.contentType,
    // The name is the run id's safe characters and an extension (exportFileName): nothing to quote.
    'Content-Disposition': `attachment; filename="${file.fileName}"`,
    'Cache-Control': 'no-store',
  });
  try {
    await file.write(res);
    res.end();
  } catch {
    // Mid-file (the run's data unreadable, or the browser cancelled the download): the headers
    // are gone, so the only honest answer is a cut connection, which the browser shows as a
    // failed download rather than a whole-looking file.
    res.destroy();
  }
}

/**
 * `PUT /uploads/<uploadId>?offset=<byte>`: one slice of a file whose upload the page began over
 * the WebSocket, as the request's body, to be written from `offset` on (without it, from where the
 * bytes received from 0 stop). The browser streams it from the disk off the page's thread, which
 * chunks over the WebSocket (each read and framed on the page) could not match, and sends a few
 * slices at once (uploadFile.ts). Answers `{ received, complete }` as `uploads.append` does
 * (bytes received over all slices), or `{ code, message }`.
 */
async function upload(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, segments: string[], query: URLSearchParams, headers: Record<string, string>): Promise<void> {
  if (req.method !== 'PUT') return text(res, 405, { ...headers, Allow: 'PUT' }, 'Method not allowed.\n');
  // SECURITY: a cookie-carrying PUT from another site is already stopped by CORS (no preflight
  // is ever answered); the Origin is checked too, as for the WebSocket, so that nothing but our
  // own page can write an upload.
  if (!isAllowedOrigin(req.headers.origin, req.headers.host, ctx.port)) return text(res, 403, headers, 'Forbidden: not sent by this server\'s page.\n');
  const uploadId = segments.length === 2 ? segments[1] : undefined;
  if (uploadId === undefined || !ctx.uploads) return text(res, 404, headers, 'Not found.\n');
  const range = sliceRange(query, req.headers['content-length']);
  if (typeof range === 'string') {
    req.resume();
    return json(res, 400, headers, { code: 'INVALID_INPUT', message: range });
  }
  // Read through an iterator without `return`: a refusal mid-body must not destroy the request
  // (and its socket) before the refusal can be sent.
  const reading = req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const body: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => ({ next: () => reading.next() }) };
  let result: { received: number; complete: boolean };
  try {
    result = await ctx.uploads.receive(uploadId, body, range);
  } catch (error) {
    const data = error instanceof RlmError ? { code: error.code, message: error.message } : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
    // The rest of the body is read and dropped: the browser reads the answer once it has sent it.
    req.resume();
    return json(res, errorStatus(data.code), headers, data);
  }
  json(res, 200, headers, result);
}

function errorStatus(code: string): number {
  if (code === 'NOT_FOUND') return 404;
  if (code === 'INPUT_TOO_LARGE') return 413;
  if (code === 'INVALID_INPUT' || code === 'BINARY_FILE') return 400;
  return 500;
}

function json(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  const bytes = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(bytes), 'Cache-Control': 'no-store' });
  res.end(bytes);
}

function text(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}
