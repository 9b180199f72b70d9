// Settings: a saved model is what the next run uses; the API key is write-only; "Test
// connection" reports what it found, success or failure.
import { createServer } from 'node:net';
import type { WebSocket } from '@playwright/test';
import { expect, rules, test } from './fixtures';
import { expectStatus, openSettings, saveSettings, startRun, treeRow } from './helpers';

const NEW_ROOT = 'e2e-new-root';

test.use({
  rules: rules(
    // Only the new model's conversation gets this answer: the answer says which model was asked.
    { match: { model: NEW_ROOT }, reply: { text: `FINAL(answered by ${NEW_ROOT})` } },
    { reply: { text: 'FINAL(answered by the old model)' } },
  ),
});

test('a root model saved in Settings is the one the next run asks', async ({ page, shot }) => {
  await openSettings(page);
  await expect(page.getByLabel('Root model')).toHaveValue('gpt-5');
  await page.getByLabel('Root model').fill(NEW_ROOT);
  await expect(page.getByText('Unsaved changes')).toBeVisible();
  await saveSettings(page);
  await shot('settings');

  // Kept: a reload shows it.
  await page.reload();
  await expect(page.getByLabel('Root model')).toHaveValue(NEW_ROOT);

  // New run starts from it, and the provider is asked with it.
  await page.getByRole('button', { name: 'New run', exact: true }).click();
  await expect(page.getByLabel('Root model')).toHaveValue(NEW_ROOT);
  await startRun(page, { query: 'Which model answers?', pasted: 'x' });
  await expectStatus(page, 'completed');
  await expect(page.getByRole('main')).toContainText(`answered by ${NEW_ROOT}`);
  await expect(page.getByRole('main')).toContainText(`root ${NEW_ROOT}`);
  await expect(treeRow(page, 'LLM turn')).toContainText(NEW_ROOT);
});

test('the API key is write-only: stored, never shown back, never sent to the page', async ({ page, provider, shot }) => {
  const secret = 'sk-e2e-write-only-key-7f3a9c';
  const received: string[] = [];
  const watch = (ws: WebSocket) => ws.on('framereceived', (frame) => received.push(String(frame.payload)));
  page.on('websocket', watch);
  // Reloaded so that the page's socket is watched from its first frame.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Settings', exact: true })).toBeVisible();

  await openSettings(page);
  const keyField = page.getByLabel('API key');
  await expect(keyField).toHaveValue('');
  await expect(page.getByText('from OPENAI_API_KEY')).toBeVisible();
  await keyField.fill(secret);
  await expect(keyField).toHaveAttribute('type', 'password');
  await saveSettings(page);

  // Stored: the indicator says so, the field is empty again.
  await expect(page.getByText('stored', { exact: true })).toBeVisible();
  await expect(keyField).toHaveValue('');
  await expect(keyField).toHaveAttribute('placeholder', /stored/);
  await expect(page.getByRole('button', { name: 'Forget key' })).toBeVisible();

  await page.reload();
  await expect(page.getByText('stored', { exact: true })).toBeVisible();
  await expect(page.getByLabel('API key')).toHaveValue('');
  expect(await page.content()).not.toContain(secret);
  await page.getByRole('button', { name: 'New run', exact: true }).click();
  await expect(page.getByText('API key stored')).toBeVisible();
  expect(await page.content()).not.toContain(secret);
  // Nothing the server sent the page, on either socket, held the key (the save's answer included).
  expect(received.length).toBeGreaterThan(0);
  expect(received.filter((payload) => payload.includes(secret))).toEqual([]);

  // A new base URL asks for the key again: the stored key is not sent there, and saving the
  // new address without a key forgets it (issue 9).
  await openSettings(page);
  await page.getByLabel('Base URL').fill('http://127.0.0.1:9/v1');
  await expect(page.getByText(`The stored key belongs to ${provider.url} and is not sent to another address`)).toBeVisible();
  await shot('key-bound-to-base-url');
  await page.getByLabel('Base URL').fill(provider.url);

  // Forgotten, the environment's key is back in use.
  await page.getByRole('button', { name: 'Forget key' }).click();
  await expect(page.getByText('from OPENAI_API_KEY')).toBeVisible();
});

test('"Test connection" reports a success, a refused key and an address where nothing answers', async ({ page, provider }) => {
  await openSettings(page);
  await expect(page.getByLabel('Base URL')).toHaveValue(provider.url);
  const test = page.getByRole('button', { name: 'Test connection' });
  const result = page.getByRole('status').filter({ hasText: /Connected|Failed/ });

  await test.click();
  await expect(result).toContainText('Connected');
  await expect(result).toContainText(/Connected: \d+ models? listed in \d+ ms/);

  // The values in the form are tested, saved or not: a wrong key…
  await page.getByLabel('API key').fill('sk-e2e-wrong-key');
  await test.click();
  await expect(result).toContainText('Failed');
  await expect(result).toContainText('The endpoint refused the API key (401)');
  await expect(result).not.toContainText('sk-e2e-wrong-key');

  // …and an address where nothing listens.
  await page.getByLabel('API key').fill('');
  const closedPort = await freePort();
  await page.getByLabel('Base URL').fill(`http://127.0.0.1:${closedPort}/v1`);
  await test.click();
  await expect(result).toContainText('Failed');
  await expect(result).toContainText('Nothing answers at');
  await expect(result).toContainText(`127.0.0.1:${closedPort}`);
  await expect(result).toContainText('connection refused');
  // Nothing was saved by testing.
  await expect(page.getByText('Unsaved changes')).toBeVisible();
});

/** A port nothing listens on (one the OS just handed out and took back). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
