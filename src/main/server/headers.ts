// Headers on every response of the browser-mode server, refusals included.
import { pageContentSecurityPolicy } from '../page/pagePolicy';

/** The page's policy (pagePolicy.ts), whose WebSocket is this server under either loopback name. */
export function contentSecurityPolicy(port: number): string {
  return pageContentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]);
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
