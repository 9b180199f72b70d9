// SECURITY: hardening from Electron's security checklist
// (https://www.electronjs.org/docs/latest/tutorial/security), applied to the session and to
// every WebContents the app creates. The rules themselves are in securityPolicy.ts (tested).
//
// - #5  every permission request and check is denied: the app needs none;
// - #7  a Content-Security-Policy header on the app's own pages (index.html also carries it
//       as a meta tag, which is all a file:// page gets if webRequest skips file: responses);
// - #13 no navigation away from the app, no redirect out of it;
// - #14 no new windows: http(s) links go to the user's browser, anything else is dropped;
// - #15 shell.openExternal only with a validated http(s) URL;
// - no <webview> (also off in webPreferences).
import { shell, type Session, type WebContents } from 'electron';
import { externalUrl, isAppUrl, withContentSecurityPolicy } from './securityPolicy';

export function hardenSession(session: Session, origins: readonly string[]): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppUrl(details.url, origins)) {
      callback({});
      return;
    }
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
}

export function hardenContents(contents: WebContents, origins: readonly string[]): void {
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url, origins)) return;
    event.preventDefault();
    openExternally(event.url);
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url, origins)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

function openExternally(url: string): void {
  const safe = externalUrl(url);
  if (safe === null) {
    console.warn(`rlmscope: not opening ${url.slice(0, 200)} (only http and https links open in the browser)`);
    return;
  }
  shell.openExternal(safe).catch((error: unknown) => console.warn(`rlmscope: could not open ${safe}: ${String(error)}`));
}
