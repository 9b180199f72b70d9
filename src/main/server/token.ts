// The access token of one `rlmscope serve` process: whoever holds it can start runs with the
// user's API key, i.e. spend the user's money. It is born with the process, printed once (in
// the URL on the first line of output) and kept by the browser in an HttpOnly cookie.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url: 43 characters that need no escaping in a URL or a cookie. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * SECURITY: constant-time comparison, so the time a refusal takes says nothing about how many
 * leading characters were right. Both sides are hashed first: timingSafeEqual needs equal
 * lengths, and comparing lengths directly would leak the token's length.
 */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * One cookie name per port: cookies do not keep ports apart (RFC 6265 §8.5), so two servers on
 * one machine would otherwise overwrite each other's token.
 */
export function cookieName(port: number): string {
  return `rlmscope_token_${port}`;
}

/** The Set-Cookie value for the token: never readable by scripts, never sent cross-site. */
export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Every value the Cookie header gives `name` (a browser may send a name more than once). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values;
}

/** Whether the Cookie header carries `token` under this port's cookie name. */
export function cookieHasToken(header: string | undefined, port: number, token: string): boolean {
  // Every value is compared (no early exit on the first match) to keep the time flat.
  let found = false;
  for (const value of cookieValues(header, cookieName(port))) found = tokensEqual(value, token) || found;
  return found;
}
