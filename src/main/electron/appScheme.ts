// The app's own URL scheme: the built page is served as app://rlmscope/…, not from file://
// (Electron's security checklist #18: a file:// page shares its origin with every local file).
// No electron import: main.ts passes these to protocol.registerSchemesAsPrivileged.

export const APP_SCHEME = 'app';
export const APP_HOST = 'rlmscope';
/** The page's origin, and the only one the IPC router trusts in a built app. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * Privileges of the scheme (Electron's CustomScheme.privileges).
 * - standard: relative URLs resolve, the origin is `app://rlmscope` rather than opaque, and web
 *   storage works;
 * - secure: a secure context, as https would be (crypto.subtle, no mixed-content warnings);
 * - supportFetchAPI: fetch() of the page's own files (Vite's module preloads);
 * - corsEnabled: module scripts and module workers (Monaco's, `new Worker(url, {type:'module'})`)
 *   are fetched in CORS mode; Chromium refuses CORS-mode loads of a scheme not registered as
 *   CORS-enabled once they count as cross-origin (electron/electron#51152). We send no
 *   Access-Control-Allow-Origin, so no other origin can read our responses anyway;
 * - codeCache: V8 keeps compiled code of the bundles between starts (standard schemes only).
 * Not bypassCSP: our Content-Security-Policy applies to the scheme like to any other.
 */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  corsEnabled: true,
  codeCache: true,
} as const;
