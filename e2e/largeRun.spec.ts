// A large run opened in browser mode: the first page of its node index comes over the WebSocket
// and the rest over HTTP (`GET /index/<runId>?after=…`, renderer/api/indexOverHttp.ts), whose
// bodies the browser receives off the page's main thread; the whole tree arrives either way.
import { writeUiRuns } from '../bench/uiRuns';
import { expect, test } from './fixtures';
import { nodeCount, treeRow } from './helpers';

/** Sub-calls of the run: three pages after the first (2,000 + 10,000 + 10,000 + the rest). */
const SUB_CALLS = 24_000;

test('opens a large run: the first page over the WebSocket, every later page over HTTP', async ({ page, server, shot }) => {
  test.setTimeout(120_000);
  const { big, bigNodes } = await writeUiRuns(server.dbPath, SUB_CALLS);
  const pages: Array<{ url: string; status: number }> = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/index/')) pages.push({ url: response.url(), status: response.status() });
  });
  let largestFrame = 0;
  page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => (largestFrame = Math.max(largestFrame, payload.length))));
  // Loaded again, so that the socket opens with the listener above on it.
  await page.goto(`${server.origin}/#/runs/${big}`);
  await page.reload();

  await expect(page.getByText(`${bigNodes.toLocaleString('en-US')} nodes`, { exact: true })).toBeVisible({ timeout: 60_000 });
  expect(await nodeCount(page)).toBe(bigNodes);
  expect(pages.length).toBe(Math.ceil((bigNodes - 2000) / 10_000));
  for (const { url, status } of pages) {
    expect(status, url).toBe(200);
    expect(new URL(url).searchParams.get('limit'), url).toBe('10000');
  }
  // The socket carried the first page (~330 KB for 2,000 nodes), none of the 1.6 MB later ones.
  expect(largestFrame).toBeGreaterThan(100_000);
  expect(largestFrame).toBeLessThan(1_000_000);

  // The last node of the last page is in the tree.
  await page.getByRole('button', { name: 'Expand all' }).click();
  await page.getByRole('tree', { name: 'Recursion tree' }).press('End');
  await expect(treeRow(page, `Does line ${SUB_CALLS - 1} mention an outage?`)).toBeVisible();
  await shot('large-run');
});
