// Browser mode's front door, in a real browser: nothing without the token, the app with it.
import { WebSocket as NodeWebSocket } from 'ws';
import { expect, test } from './fixtures';

test.describe('rlmscope serve', () => {
  test('refuses a request without its token', async ({ server, browser, request }) => {
    // A client that never saw the token: the page and an asset are refused.
    const pageResponse = await request.get(`${server.origin}/`);
    expect(pageResponse.status()).toBe(403);
    expect(await pageResponse.text()).not.toContain('<div id="root">');
    expect((await request.get(`${server.origin}/index.html`)).status()).toBe(403);
    expect((await request.get(`${server.origin}/?token=not-the-token`)).status()).toBe(403);

    // A browser without the cookie gets 403, and its WebSocket, from the server's own origin, is refused.
    const stranger = await browser.newContext();
    try {
      const page = await stranger.newPage();
      const response = await page.goto(`${server.origin}/`);
      expect(response?.status()).toBe(403);
      const opened = await page.evaluate(
        (url) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(url);
            ws.onopen = () => resolve('open');
            ws.onclose = (event) => resolve(`closed ${event.code}`);
          }),
        `ws://127.0.0.1:${server.port}/rlm`,
      );
      expect(opened).toBe('closed 1006');
    } finally {
      await stranger.close();
    }

    // Outside any browser: the handshake without the cookie is refused with 403.
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new NodeWebSocket(`ws://127.0.0.1:${server.port}/rlm`, { headers: { Origin: server.origin } });
      ws.once('open', () => reject(new Error('the WebSocket opened without the token')));
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('error', reject);
    });
    expect(status).toBe(403);
  });

  test('with the token, loads the app and keeps the token out of the address bar', async ({ page, server, shot }) => {
    await expect(page).toHaveTitle(/RLMScope/);
    await expect(page.getByRole('button', { name: 'New run' })).toBeVisible();
    expect(page.url()).toBe(`${server.origin}/`);
    const [cookie] = await page.context().cookies(server.origin);
    expect(cookie).toMatchObject({ name: `rlmscope_token_${server.port}`, value: server.token, httpOnly: true, sameSite: 'Strict' });
    // The page cannot read its own token.
    expect(await page.evaluate('document.cookie')).toBe('');
    await shot('app');
  });

  test('accepts the page\'s own WebSocket, with no CSP violation or error on the way', async ({ page }) => {
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    const socket = page.waitForEvent('websocket');
    await page.reload();
    const ws = await socket;
    expect(ws.url()).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/rlm$/);
    // A refused handshake closes at once; an accepted one stays open.
    await page.waitForTimeout(500);
    expect(ws.isClosed()).toBe(false);
    expect(errors).toEqual([]);
  });

  test('a restarted server has a new token: the old cookie is refused, the new URL works', async ({ page, server }) => {
    const before = server.token;
    await server.restart();
    expect(server.token).not.toBe(before);
    expect((await page.reload())?.status()).toBe(403);
    await page.goto(server.url);
    await expect(page.getByRole('button', { name: 'New run' })).toBeVisible();
  });
});
