// Answers the browser-mode server's plain HTTP requests: the page and its assets, behind the
// checks of requestGuard.ts.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { securityHeaders } from './headers';
import { checkAccess, isAllowedHost, parseTarget, type GuardConfig } from './requestGuard';
import { resolveStatic } from './staticFiles';
import { tokenCookie } from './token';

export interface HttpContext extends GuardConfig {
  /** Real path of the built page's folder (staticFiles.openRendererDir). */
  rootReal: string;
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

function text(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}
