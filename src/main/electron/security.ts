// SECURITY: hardening from Electron's security checklist
// (https://www.electronjs.org/docs/latest/tutorial/security), applied to the session and to
// every WebContents the app creates. The rules themselves are in securityPolicy.ts (tested).
//
// - #5  every permission request and check is denied: the app needs none. Picking files with
//       <input type=file> is not a permission (Chromium asks the embedder to run a file chooser,
//       WebContentsDelegate::RunFileChooser, and Electron shows its own dialog), so it works;
//       only the File System Access API (showOpenFilePicker) asks for 'fileSystem', which the
//       app does not use;
// - #7  a Content-Security-Policy header on every response of the app scheme (appProtocol.ts)
//       and, through webRequest, on the dev server's pages;
// - #13 no navigation away from the app, no redirect out of it;
// - #14 no new windows: http(s) links go to the user's browser, anything else is dropped;
// - #15 shell.openExternal only with a validated http(s) URL;
// - #18 the page is served from the app's own scheme, app://rlmscope (protocol.ts), not file:;
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

/** Opens an http(s) link in the user's browser; anything else is refused (checklist #15). */
export function openExternally(url: string): void {
  const safe = externalUrl(url);
  if (safe === null) {
    console.warn(`rlmscope: not opening ${url.slice(0, 200)} (only http and https links open in the browser)`);
    return;
  }
  shell.openExternal(safe).catch((error: unknown) => console.warn(`rlmscope: could not open ${safe}: ${String(error)}`));
}
