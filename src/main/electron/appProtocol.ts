// Answers requests to app://rlmscope/… from the built renderer folder (out/renderer). No electron
// import: protocol.ts hands Electron's Request to `serveAppRequest`, and plain Node tests it
// against real files. Response is Node's own global, the same class protocol.handle takes.
import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { pageContentType as contentTypeOf } from '../page/pagePolicy';
import { APP_HOST, APP_SCHEME } from './appScheme';
import { CONTENT_SECURITY_POLICY } from './securityPolicy';

export { pageContentType as contentTypeOf } from '../page/pagePolicy';

// ================================================================================================
// SECURITY: this decides which local files the page (and anything that gets to run in it) can
// read. Only files under `root`, only through app://rlmscope, never a path that climbs out:
// every segment is decoded and checked on its own, so `..`, `%2e%2e`, an encoded `/` or `\`, a
// NUL or a drive letter cannot smuggle a traversal past the URL parser's own normalisation.
// Symbolic links are checked after resolution by `serveAppRequest`.
// ================================================================================================
/**
 * The file under `root` that `url` names, or null when the URL is not one we serve. `/` is the
 * page itself (index.html). Lexical only: the caller checks the file exists and is inside `root`
 * once links are resolved.
 */
export function resolveAppPath(url: string, root: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST || parsed.username || parsed.password) return null;
  const raw = parsed.pathname === '/' || parsed.pathname === '' ? '/index.html' : parsed.pathname;
  if (!raw.startsWith('/')) return null;
  const segments: string[] = [];
  for (const encoded of raw.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(encoded);
    } catch {
      return null;
    }
    if (!isPlainSegment(segment)) return null;
    segments.push(segment);
  }
  const file = join(root, ...segments);
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return null;
  return file;
}

function isPlainSegment(segment: string): boolean {
  if (segment === '' || segment === '.' || segment === '..') return false;
  // Separators of any platform, NUL, and ':' (a Windows drive or alternate data stream).
  return !/[/\\\0:]/.test(segment);
}

export interface AppRequest {
  url: string;
  method: string;
}

/** Every response carries our CSP, so the page is protected even where webRequest does not run. */
function headers(contentType: string | null): Headers {
  const result = new Headers({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    // The files change with every build of the app; revalidation is cheap for a local scheme.
    'Cache-Control': 'no-cache',
  });
  if (contentType) result.set('Content-Type', contentType);
  return result;
}

function notFound(): Response {
  return new Response('Not found', { status: 404, headers: headers('text/plain; charset=utf-8') });
}

/**
 * The response to one request of the app's scheme: the file under `root` with its type, or 404
 * (405 for methods other than GET and HEAD: the page has nothing to post to its own files).
 */
export async function serveAppRequest(request: AppRequest, root: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const response = new Response('Method not allowed', { status: 405, headers: headers('text/plain; charset=utf-8') });
    response.headers.set('Allow', 'GET, HEAD');
    return response;
  }
  const file = resolveAppPath(request.url, root);
  const contentType = file && contentTypeOf(file);
  if (!file || !contentType) return notFound();
  try {
    // A link inside the folder that points outside it is outside it.
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
    if (!realFile.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) return notFound();
    if (!(await stat(realFile)).isFile()) return notFound();
    const body = request.method === 'HEAD' ? null : await readFile(realFile);
    return new Response(body, { status: 200, headers: headers(contentType) });
  } catch {
    // Missing, unreadable, or gone between the checks: all the same to the page.
    return notFound();
  }
}
