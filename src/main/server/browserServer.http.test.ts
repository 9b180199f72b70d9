// The browser-mode server's HTTP side over real loopback HTTP: who gets the page, who does not,
// and that nothing outside the page's folder is ever served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../testing/serviceHarness';
import { PortInUseError, startBrowserServer, type BrowserServer } from './browserServer';
import { RendererMissingError } from './staticFiles';
import { makeRendererDir, openSocket, pageHeaders, rawRequest, SECRET, wsUrl, type PageFixture } from '../testing/browserServerFixtures';

let h: Harness;
let page: PageFixture;
let server: BrowserServer;
let cookie: Record<string, string>;

beforeAll(async () => {
  h = await startHarness(() => ({ text: 'FINAL(unused)' }));
  page = makeRendererDir();
  server = await startBrowserServer({ api: h.service, rendererDir: page.rendererDir, port: 0, log: () => undefined });
  cookie = { Cookie: `${server.cookieName}=${server.token}` };
});

afterAll(async () => {
  await server?.close();
  await h?.close();
});

describe('the printed URL', () => {
  it('is loopback, on the bound port, with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.port).toBeGreaterThan(0);
  });
});

describe('without the token', () => {
  it('refuses the page and its assets with 403', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/anything']) {
      const res = await rawRequest(server.port, path);
      expect(res.status, path).toBe(403);
      expect(res.body).not.toContain('<title>');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('refuses a wrong token in the query or the cookie', async () => {
    // The last character changed (to 'A', or to 'B' when it was 'A': a 1-in-64 chance made this flaky).
    const wrong = `${server.token.slice(0, -1)}${server.token.endsWith('A') ? 'B' : 'A'}`;
    expect((await rawRequest(server.port, `/?token=${wrong}`)).status).toBe(403);
    expect((await rawRequest(server.port, '/', { Cookie: `${server.cookieName}=${server.token}x` })).status).toBe(403);
    // Another server's cookie (another port) is not ours.
    expect((await rawRequest(server.port, '/', { Cookie: `rlmscope_token_${server.port + 1}=${server.token}` })).status).toBe(403);
  });

  it('refuses the WebSocket handshake with 403', async () => {
    expect(await openSocket(wsUrl(server), { Origin: server.origin })).toEqual({ refused: 403 });
  });
});

describe('the first page load', () => {
  it('sets an HttpOnly, SameSite=Strict cookie and redirects to the same path without the token', async () => {
    const res = await rawRequest(server.port, `/?token=${server.token}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(res.headers['set-cookie']).toEqual([`${server.cookieName}=${server.token}; HttpOnly; SameSite=Strict; Path=/`]);
    const deep = await rawRequest(server.port, `/runs/?x=1&token=${server.token}`);
    expect(deep.headers.location).toBe('/runs/?x=1');
  });

  it('serves the page with the cookie, uncached and under a strict CSP', async () => {
    const res = await rawRequest(server.port, '/', cookie);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>RLMScope</title>');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port} ws://localhost:${server.port}`);
    expect(csp).not.toContain('unsafe-eval');
  });

  it('serves assets with their type, unknown routes with index.html and missing assets as 404', async () => {
    const js = await rawRequest(server.port, '/assets/app.js', cookie);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log("app");');
    expect((await rawRequest(server.port, '/assets/style.css', cookie)).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await rawRequest(server.port, '/runs/r-1', cookie)).body).toContain('<title>RLMScope</title>');
    expect((await rawRequest(server.port, '/assets/missing.js', cookie)).status).toBe(404);
    expect((await rawRequest(server.port, '/missing.png', cookie)).status).toBe(404);
    // The icon browsers ask for by themselves: no content rather than an error in the console.
    expect((await rawRequest(server.port, '/favicon.ico', cookie)).status).toBe(204);
    expect((await rawRequest(server.port, '/favicon.ico')).status).toBe(403);
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await rawRequest(server.port, '/assets/app.js', cookie, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await rawRequest(server.port, '/', cookie, 'POST')).status).toBe(405);
  });
});

describe('Host and Origin', () => {
  it('refuses a request addressed to another name, even with the token (DNS rebinding)', async () => {
    for (const host of [`evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`, '127.0.0.1']) {
      const res = await rawRequest(server.port, `/?token=${server.token}`, { ...cookie, Host: host });
      expect(res.status, host).toBe(403);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect((await rawRequest(server.port, '/', { ...cookie, Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('refuses a WebSocket from another origin, or addressed to another host, even with the cookie', async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${server.port + 1}`, `https://127.0.0.1:${server.port}`, 'null']) {
      expect(await openSocket(wsUrl(server), { ...cookie, Origin: origin }), origin).toEqual({ refused: 403 });
    }
    expect(await openSocket(wsUrl(server), cookie)).toEqual({ refused: 403 });
    expect(await openSocket(wsUrl(server), { ...pageHeaders(server), Host: `evil.example:${server.port}` })).toEqual({ refused: 403 });
  });

  it('accepts the page\'s own WebSocket, on its path only', async () => {
    const opened = await openSocket(wsUrl(server), pageHeaders(server));
    expect('socket' in opened).toBe(true);
    if ('socket' in opened) opened.socket.close();
    expect(await openSocket(`ws://127.0.0.1:${server.port}/elsewhere`, pageHeaders(server))).toEqual({ refused: 404 });
  });
});

describe('path traversal', () => {
  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/..%5csecret.txt',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/.env',
  ])('refuses %s', async (path) => {
    const res = await rawRequest(server.port, path, cookie);
    expect(res.status).toBe(400);
    expect(res.body).not.toContain(SECRET);
  });

  it('refuses an absolute target and one with the token that would redirect off the site', async () => {
    expect((await rawRequest(server.port, `http://evil.example/?token=${server.token}`, cookie)).status).toBe(400);
    const res = await rawRequest(server.port, `//evil.example/?token=${server.token}`);
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });

  it('does not follow symlinks out of the folder', async () => {
    for (const path of ['/assets/escape.js', '/assets/linked/secret.js']) {
      const res = await rawRequest(server.port, path, cookie);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain(SECRET);
    }
  });
});

describe('starting', () => {
  it('says to build first when the page is missing', async () => {
    await expect(startBrowserServer({ api: h.service, rendererDir: page.secretPath, port: 0 })).rejects.toThrow(RendererMissingError);
    await expect(startBrowserServer({ api: h.service, rendererDir: page.secretPath, port: 0 })).rejects.toThrow(/run npm run build first/);
  });

  it('refuses a port that is taken, with a clear error', async () => {
    const error = await startBrowserServer({ api: h.service, rendererDir: page.rendererDir, port: server.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortInUseError);
    expect((error as Error).message).toContain(`port ${server.port} is already in use`);
  });

  it('gives every start its own token', async () => {
    const other = await startBrowserServer({ api: h.service, rendererDir: page.rendererDir, port: 0, log: () => undefined });
    try {
      expect(other.token).not.toBe(server.token);
      expect((await rawRequest(other.port, '/', { Cookie: `${other.cookieName}=${server.token}` })).status).toBe(403);
    } finally {
      await other.close();
    }
  });
});
