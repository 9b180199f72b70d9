// Headers on every response of the browser-mode server, refusals included.

/**
 * SECURITY: the page's Content-Security-Policy. Scripts only from this server (no inline
 * script, no eval); inline styles for the UI's style attributes; Monaco's workers from our files
 * or blob: URLs; connections only back to this server (its WebSocket under either loopback name);
 * no plugins, no <base> rewriting, and no other site may frame the page (clickjacking a
 * "Start run" button would spend the user's money).
 */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    // A file is only ever what its Content-Type says (no script sniffed out of a text file).
    'X-Content-Type-Options': 'nosniff',
    // The first page load's URL carries the token: never send it on as a Referer.
    'Referrer-Policy': 'no-referrer',
    // frame-ancestors for browsers that predate it.
    'X-Frame-Options': 'DENY',
    // No other site's window keeps a handle on ours, nor reads our files with <script>/<img>.
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
