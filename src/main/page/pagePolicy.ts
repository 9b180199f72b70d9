// What both ways of serving the built page (the desktop app's app:// scheme and browser mode's
// HTTP server) agree on: the file types the build emits, and the Content-Security-Policy.
import { extname } from 'node:path';

/** What the build emits, by extension. Anything else is not served as a known type. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

/** The Content-Type of a built file, or null for a type the build does not emit. */
export function pageContentType(path: string): string | null {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? null;
}

/**
 * SECURITY: the page's Content-Security-Policy. Scripts only from the app itself (no inline
 * script, no eval); inline styles for the UI's style attributes; fonts may be inline (Monaco's
 * codicons); workers from the app or blob: URLs (Monaco); connections only to the app itself
 * plus `connectSrc` (browser mode's WebSocket); no plugins, no <base> rewriting, and no other
 * site may frame the page (clickjacking a "Start run" button would spend the user's money).
 */
export function pageContentSecurityPolicy(connectSrc: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    ["connect-src 'self'", ...connectSrc].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
