// The pure rules behind the window's hardening (security.ts applies them): which URLs are the
// app's own, which may open in the user's browser, and the Content-Security-Policy.
// Electron's security checklist: https://www.electronjs.org/docs/latest/tutorial/security
import { pageContentSecurityPolicy } from '../page/pagePolicy';
import { APP_ORIGIN } from './appScheme';
import { appOrigin } from './ipcRouter';

/** The CSP sent with every page of the app (pagePolicy.ts): nothing but the app itself. */
export const CONTENT_SECURITY_POLICY = pageContentSecurityPolicy();

// SECURITY: these origins are the IPC router's trusted senders and the only places the window
// may navigate. A built app trusts its own scheme only; file: is never trusted (every local file
// would share that identity). The dev server's origin replaces it in development only, and
// main.ts never takes the dev server URL from the environment of a packaged app.
/** The origins of the app's page: app://rlmscope, or the dev server in development. */
export function appOrigins(page: { devServerUrl?: string | undefined } = {}): string[] {
  if (!page.devServerUrl) return [APP_ORIGIN];
  const origin = appOrigin(page.devServerUrl);
  if (origin === null) throw new Error(`the dev server has an unusable URL: ${page.devServerUrl}`);
  return [origin];
}

/** Whether `url` shows the app's own page (navigation to anything else is blocked). */
export function isAppUrl(url: string, origins: readonly string[]): boolean {
  const origin = appOrigin(url);
  return origin !== null && origins.includes(origin);
}

/**
 * The URL to hand to the user's browser, or null when it must not be opened: only http(s)
 * (shell.openExternal on file:, smb: or a custom scheme can run programs).
 */
export function externalUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  return parsed.href;
}

/** Response headers with our CSP in place of any the response carried (of any letter case). */
export function withContentSecurityPolicy(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  }
  result['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return result;
}
