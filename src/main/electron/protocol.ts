// Adapts the app scheme (appScheme.ts, appProtocol.ts: the rules and their tests) to Electron's
// protocol module. Nothing here decides anything.
import { protocol } from 'electron';
import { serveAppRequest } from './appProtocol';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES } from './appScheme';

/** Must run before the app is ready, and only once (Electron's rule for privileged schemes). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
}

/** Serves app://rlmscope/… from the built renderer folder, in the default session. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest({ url: request.url, method: request.method }, rendererDir));
}
