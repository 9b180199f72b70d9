// New run: files come in by a drop or by "Add files", the run starts from the form, and the
// model's code reads them as `context`; a binary file is refused before anything is sent.
import { expect, rules, test } from './fixtures';
import { dataTransferOf, expectStatus, nodeDetail, repl, rootTurn, submitRun, treeRow } from './helpers';

const LOG = ['12:00:01 INFO service started', '12:00:02 INFO listening on :8080', '12:00:03 ERROR disk full on /var/data', '12:00:04 INFO retrying'].join('\n');

// The root's code finds the ERROR line in `context` and answers with it: the answer can only be
// right if the dropped file really became the run's context.
const FIND_ERROR_CODE = "const errorLine = context.split('\\n').find((line) => line.includes('ERROR'));\nprint('found:', errorLine);\nFINAL(errorLine);";

test.use({ rules: rules(rootTurn(0, { text: repl(FIND_ERROR_CODE) }), rootTurn(1, { text: 'FINAL(the code did not answer)' })) });

test.beforeEach(async ({ page }) => {
  await page.getByRole('button', { name: 'New run', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New run' })).toBeVisible();
});

test('a dropped file becomes the context the model\'s code reads', async ({ page, shot }) => {
  const zone = page.getByText('Drop files or folders here');
  const dataTransfer = await dataTransferOf(page, [{ name: 'log.txt', content: LOG, type: 'text/plain' }]);
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await expect(page.getByText('Drop to add')).toBeVisible();
  await page.getByText('Drop to add').dispatchEvent('drop', { dataTransfer });
  await expect(page.getByText('Drop files or folders here')).toBeVisible();

  const inputs = page.getByRole('list', { name: 'Chosen inputs' });
  await expect(inputs.getByRole('listitem')).toHaveCount(1);
  await expect(inputs).toContainText('log.txt');
  await expect(inputs).toContainText('ready');
  await expect(page.getByRole('button', { name: 'Remove log.txt' })).toBeVisible();
  await page.getByLabel('Query', { exact: true }).fill('Which line of the log is an error?');
  await shot('new-run-with-file');

  await submitRun(page, { query: 'Which line of the log is an error?' });
  await expectStatus(page, 'completed');
  // The header names the input; the answer, computed by the code from the file, shows in the
  // header and in the root's detail, beside the context it was given (one string, the file's length).
  const main = page.getByRole('main');
  await expect(main.getByText('log.txt', { exact: true })).toBeVisible();
  await expect(main.getByText('12:00:03 ERROR disk full on /var/data', { exact: true })).toHaveCount(2);
  await expect(nodeDetail(page).getByRole('heading', { name: 'Answer' })).toBeVisible();
  await expect(nodeDetail(page)).toContainText('12:00:03 ERROR disk full on /var/data');
  await expect(nodeDetail(page)).toContainText(`A string, ${LOG.length.toLocaleString('en-US')} characters.`);
  // And the cell printed what it found.
  await treeRow(page, 'cell').click();
  await expect(nodeDetail(page)).toContainText('found: 12:00:03 ERROR disk full on /var/data');
});

test('a file picked with "Add files" becomes the context', async ({ page }) => {
  // Browser mode sends the file's bytes as the body of a PUT (fileSender.ts), not over the WebSocket.
  const sent = page.waitForResponse((response) => response.request().method() === 'PUT' && /\/uploads\/u-[\w-]+\?offset=0$/.test(response.url()));
  await page.getByLabel('Add files').setInputFiles({ name: 'picked.log', mimeType: 'text/plain', buffer: Buffer.from(LOG.replace('disk full', 'picked file full')) });
  const inputs = page.getByRole('list', { name: 'Chosen inputs' });
  await expect(inputs).toContainText('picked.log');
  await expect(inputs).toContainText('ready');
  const put = await sent;
  expect(put.status()).toBe(200);
  expect(await put.json()).toEqual({ received: Buffer.byteLength(LOG.replace('disk full', 'picked file full')), complete: true });

  await submitRun(page, { query: 'Find the error in the picked file' });
  await expectStatus(page, 'completed');
  await expect(nodeDetail(page)).toContainText('12:00:03 ERROR picked file full on /var/data');
  await expect(page.getByRole('main').getByText('picked.log', { exact: true })).toBeVisible();
});

test('a large picked file goes as several PUTs at once, each to its place, and is ready once all arrived', async ({ page }) => {
  const bytes = Buffer.from(Array.from({ length: 700_000 }, (_, i) => `line ${String(i).padStart(9, '0')}\n`).join('')); // 11.2 MB
  const offsets: number[] = [];
  page.on('request', (request) => {
    const match = /\/uploads\/u-[\w-]+\?offset=(\d+)$/.exec(request.url());
    if (request.method() === 'PUT' && match) offsets.push(Number(match[1]));
  });
  await page.getByLabel('Add files').setInputFiles({ name: 'large.log', mimeType: 'text/plain', buffer: bytes });
  const inputs = page.getByRole('list', { name: 'Chosen inputs' });
  await expect(inputs).toContainText('ready', { timeout: 30_000 });
  // Slices of at least 4 MiB: three requests, sent together (putSlices.ts).
  expect(offsets.sort((a, b) => a - b)).toEqual([0, 4 * 1024 * 1024, 8 * 1024 * 1024]);
});

test('a binary file is refused with a message that names it, and Start says why it cannot go', async ({ page }) => {
  // A PNG picked, and a file of NUL bytes dropped: both refused before any upload.
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];
  await page.getByLabel('Add files').setInputFiles({ name: 'diagram.png', mimeType: 'image/png', buffer: Buffer.from(png) });
  const dataTransfer = await dataTransferOf(page, [{ name: 'dump.bin', content: [1, 0, 0, 0, 2, 0, 3, 0, 0, 0] }]);
  await page.getByText('Drop files or folders here').dispatchEvent('drop', { dataTransfer });

  const inputs = page.getByRole('list', { name: 'Chosen inputs' });
  await expect(inputs.getByRole('alert').filter({ hasText: 'diagram.png' })).toHaveText('diagram.png looks like a PNG image; RLMScope reads text files only');
  await expect(inputs.getByRole('alert').filter({ hasText: 'dump.bin' })).toHaveText('dump.bin looks like a binary file (it contains NUL bytes); RLMScope reads text files only');
  await expect(inputs).toContainText('cannot be used');

  // Starting with them still listed is refused, naming them; the page stays on New run.
  await page.getByLabel('Query', { exact: true }).fill('What is in these files?');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page.getByText('Remove what cannot be used: diagram.png, dump.bin')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'New run' })).toBeVisible();

  // Removed, the run starts without them.
  await page.getByRole('button', { name: 'Remove diagram.png' }).click();
  await page.getByRole('button', { name: 'Remove dump.bin' }).click();
  await expect(inputs).toHaveCount(0);
  await submitRun(page, { query: 'What is in these files?', pasted: LOG });
  await expectStatus(page, 'completed');
});
