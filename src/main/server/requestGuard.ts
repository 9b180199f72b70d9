// The checks every request to the browser-mode server passes before anything is served: the
// Host it was sent to, the Origin of a WebSocket, the token, and the shape of the path. Pure
// functions of the request's headers and target, so each rule is tested on its own.
import type { IncomingHttpHeaders } from 'node:http';
import { cookieHasToken, tokensEqual } from './token';

export interface GuardConfig {
  port: number;
  token: string;
}

/**
 * SECURITY (DNS rebinding): a page on evil.example can make its name resolve to 127.0.0.1 and
 * then talk to us "same-origin"; its requests still say `Host: evil.example:PORT`. Only the two
 * loopback names on our own port are accepted.
 */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const normalized = host.toLowerCase();
  return normalized === `127.0.0.1:${port}` || normalized === `localhost:${port}`;
}

/**
 * SECURITY (cross-site WebSocket hijacking): browsers send cookies with a WebSocket handshake
 * from any page, and the same-origin policy does not apply to WebSockets. The handshake must come
 * from our own page: its Origin is exactly the origin the request was sent to (an allowed Host).
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, port: number): boolean {
  if (origin === undefined || !isAllowedHost(host, port)) return false;
  return origin.toLowerCase() === `http://${(host as string).toLowerCase()}`;
}

/** A request target that passed `parseTarget`. */
export interface RequestTarget {
  /** The path as sent (still percent-encoded), safe to echo in a Location header. */
  path: string;
  /** The decoded path segments; none is empty, none starts with a dot, none holds a separator. */
  segments: string[];
  query: URLSearchParams;
}

// Characters RFC 3986 allows in a path, nothing else (no backslash, no spaces, no controls).
const RAW_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
/** What no decoded segment may contain: separators of any platform, NUL and other controls. */
function hasForbiddenCharacter(segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2f /* / */ || c === 0x5c /* \ */ || c === 0x3a /* : */) return true;
  }
  return false;
}

/**
 * SECURITY (path traversal): the raw target is parsed here rather than with `new URL()`, which
 * would quietly resolve `/../` and hide the attempt. Refused (null): anything not starting with
 * one `/` (absolute-form `http://...` targets, `//host/...` which a Location header would turn
 * into another site), empty segments, any segment that decodes to `.`/`..` or any dotfile, and
 * encoded separators (`%2f`, `%5c`) or NUL.
 */
export function parseTarget(raw: string | undefined): RequestTarget | null {
  if (raw === undefined) return null;
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = q < 0 ? '' : raw.slice(q + 1);
  if (!RAW_PATH.test(path)) return null;
  const parts = path.slice(1).split('/');
  const segments: string[] = [];
  for (const [i, part] of parts.entries()) {
    if (part === '') {
      // Only a trailing slash may leave an empty segment ("/" itself, "/runs/").
      if (i === parts.length - 1) continue;
      return null;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return null;
    }
    if (decoded.startsWith('.') || hasForbiddenCharacter(decoded)) return null;
    segments.push(decoded);
  }
  return { path, segments, query: new URLSearchParams(query) };
}

export type Access =
  /** The cookie carries the token. */
  | { kind: 'cookie' }
  /** The first page load: `?token=` is right; set the cookie and redirect to `location`. */
  | { kind: 'query'; location: string }
  | { kind: 'refused' };

/**
 * SECURITY: whether a request carries this server's token. The cookie is the normal way; the
 * `?token=` of the printed URL is accepted so that the page can be opened, and is answered with a
 * redirect that drops it, so the token stays in neither the address bar nor the history. A wrong
 * `?token=` is refused even next to a good cookie: nothing about a bad token is accepted.
 */
export function checkAccess(headers: IncomingHttpHeaders, target: RequestTarget, config: GuardConfig): Access {
  const given = target.query.getAll('token');
  if (given.length > 0) {
    if (given.length !== 1 || !tokensEqual(given[0] as string, config.token)) return { kind: 'refused' };
    const rest = new URLSearchParams(target.query);
    rest.delete('token');
    const search = rest.toString();
    return { kind: 'query', location: search ? `${target.path}?${search}` : target.path };
  }
  return cookieHasToken(headers.cookie, config.port, config.token) ? { kind: 'cookie' } : { kind: 'refused' };
}
