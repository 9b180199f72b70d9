import { describe, expect, it } from 'vitest';
import { checkAccess, isAllowedHost, isAllowedOrigin, parseTarget } from './requestGuard';
import { cookieHasToken, cookieValues, newToken, tokensEqual } from './token';

const PORT = 41234;
const TOKEN = newToken();
const config = { port: PORT, token: TOKEN };

describe('the token', () => {
  it('is 32 random bytes in base64url, different at every start', () => {
    expect(TOKEN).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(TOKEN);
  });

  it('matches only itself, whatever the length of the guess', () => {
    expect(tokensEqual(TOKEN, TOKEN)).toBe(true);
    expect(tokensEqual(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokensEqual(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokensEqual('', TOKEN)).toBe(false);
  });

  it('is found in a Cookie header under the port\'s own name only', () => {
    expect(cookieValues('a=1; rlmscope_token_41234=abc ;b=2', 'rlmscope_token_41234')).toEqual(['abc']);
    expect(cookieHasToken(`other=1; rlmscope_token_${PORT}=${TOKEN}`, PORT, TOKEN)).toBe(true);
    expect(cookieHasToken(`rlmscope_token_${PORT + 1}=${TOKEN}`, PORT, TOKEN)).toBe(false);
    expect(cookieHasToken(`rlmscope_token_${PORT}=wrong; rlmscope_token_${PORT}=${TOKEN}`, PORT, TOKEN)).toBe(true);
    expect(cookieHasToken(undefined, PORT, TOKEN)).toBe(false);
  });
});

describe('Host and Origin', () => {
  it('accept only the loopback names on our port', () => {
    expect(isAllowedHost(`127.0.0.1:${PORT}`, PORT)).toBe(true);
    expect(isAllowedHost(`LocalHost:${PORT}`, PORT)).toBe(true);
    for (const host of [undefined, '127.0.0.1', `127.0.0.1:${PORT + 1}`, `evil.example:${PORT}`, `[::1]:${PORT}`, `127.0.0.1.evil.example:${PORT}`]) {
      expect(isAllowedHost(host, PORT)).toBe(false);
    }
  });

  it('accept a WebSocket only from the page of the host it was sent to', () => {
    expect(isAllowedOrigin(`http://127.0.0.1:${PORT}`, `127.0.0.1:${PORT}`, PORT)).toBe(true);
    expect(isAllowedOrigin(`http://localhost:${PORT}`, `localhost:${PORT}`, PORT)).toBe(true);
    expect(isAllowedOrigin(`http://localhost:${PORT}`, `127.0.0.1:${PORT}`, PORT)).toBe(false);
    for (const origin of [undefined, 'null', `https://127.0.0.1:${PORT}`, `http://127.0.0.1:${PORT + 1}`, `http://evil.example:${PORT}`, `http://127.0.0.1:${PORT}/`]) {
      expect(isAllowedOrigin(origin, `127.0.0.1:${PORT}`, PORT)).toBe(false);
    }
    expect(isAllowedOrigin(`http://evil.example:${PORT}`, `evil.example:${PORT}`, PORT)).toBe(false);
  });
});

describe('request targets', () => {
  it('decode ordinary paths into segments', () => {
    expect(parseTarget('/')).toMatchObject({ path: '/', segments: [] });
    expect(parseTarget('/assets/index-AbC_1.js?v=1')).toMatchObject({ path: '/assets/index-AbC_1.js', segments: ['assets', 'index-AbC_1.js'] });
    expect(parseTarget('/runs/')?.segments).toEqual(['runs']);
    expect(parseTarget('/a%20b.txt')?.segments).toEqual(['a b.txt']);
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/%2fetc%2fpasswd',
    '//etc/passwd',
    '/assets//x.js',
    '/.env',
    '/assets/.hidden',
    '/./index.html',
    '/a%00.js',
    '/a\\b',
    '/%',
    'http://127.0.0.1/index.html',
    'index.html',
    '*',
  ])('refuse %s', (raw) => {
    expect(parseTarget(raw)).toBeNull();
  });
});

describe('access', () => {
  const target = (raw: string) => {
    const parsed = parseTarget(raw);
    if (!parsed) throw new Error(`bad target ${raw}`);
    return parsed;
  };

  it('lets the cookie in', () => {
    expect(checkAccess({ cookie: `rlmscope_token_${PORT}=${TOKEN}` }, target('/'), config)).toEqual({ kind: 'cookie' });
  });

  it('turns the right ?token= into a redirect to the same path without it', () => {
    expect(checkAccess({}, target(`/?token=${TOKEN}`), config)).toEqual({ kind: 'query', location: '/' });
    expect(checkAccess({}, target(`/runs/?a=1&token=${TOKEN}&b=2`), config)).toEqual({ kind: 'query', location: '/runs/?a=1&b=2' });
  });

  it('refuses no token, a wrong one, and a wrong ?token= even beside a good cookie', () => {
    expect(checkAccess({}, target('/'), config)).toEqual({ kind: 'refused' });
    expect(checkAccess({ cookie: `rlmscope_token_${PORT}=nope` }, target('/'), config)).toEqual({ kind: 'refused' });
    expect(checkAccess({}, target(`/?token=${TOKEN}x`), config)).toEqual({ kind: 'refused' });
    expect(checkAccess({}, target(`/?token=${TOKEN}&token=${TOKEN}`), config)).toEqual({ kind: 'refused' });
    expect(checkAccess({ cookie: `rlmscope_token_${PORT}=${TOKEN}` }, target('/?token=nope'), config)).toEqual({ kind: 'refused' });
  });
});
