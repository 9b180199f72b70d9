// Runs in from a file on the runs list: the reference library's JSONL log picked with "Import
// runs" becomes imported runs, marked as such in the list and in the run view, whose cells show
// as Python; a file that is no log gets one line saying why.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { dataTransferOf, detailTitle, nodeDetail, treeRow } from './helpers';
import { CLI } from './processes';

const LOG = join(__dirname, '..', 'src', 'main', 'interop', 'rlmsLog', 'fixtures', 'trace-log-example.jsonl');
const QUERY = 'Generate a random number between 1 and 100.';

test('a JSONL log picked with "Import runs" becomes six imported runs, shown as imported and as Python', async ({ page, shot }) => {
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Runs' })).toBeVisible();
  await page.getByLabel('Import runs').setInputFiles(LOG);
  await expect(page.getByRole('status').filter({ hasText: '6 runs imported from trace-log-example.jsonl' })).toBeVisible();

  // The list refreshed by itself (app.runsChanged); every row carries the tag, the file in its tooltip.
  const list = page.getByRole('list', { name: 'Runs' });
  const rows = list.getByRole('link');
  await expect(rows).toHaveCount(6);
  const tags = list.locator('.runs-imported');
  await expect(tags).toHaveCount(6);
  await expect(tags.first()).toHaveText(/imported/);
  await expect(tags.first()).toHaveAttribute('title', 'Imported from trace-log-example.jsonl');
  await expect(rows.first()).toHaveAccessibleName(/Imported from trace-log-example\.jsonl/);
  await shot('import-runs-list');

  // The run view says where it came from and offers no controls: it never ran here.
  await list.getByRole('link', { name: new RegExp(QUERY.replace(/\./g, '\\.')) }).click();
  await expect(page.getByRole('heading', { level: 1, name: QUERY })).toBeVisible();
  await expect(page.getByText('Imported from trace-log-example.jsonl — never re-executed')).toBeVisible();
  for (const control of ['Stop', 'Pause', 'Step']) await expect(page.getByRole('button', { name: control, exact: true })).toHaveCount(0);
  // Its totals stand without gauges: the limits of this app were never its limits.
  await expect(page.getByRole('region', { name: 'Run meter' })).toBeVisible();
  await expect(page.getByRole('meter')).toHaveCount(0);

  // The log gives no usage for its turns: their tokens and cost read unknown, never 0.
  const turn = treeRow(page, 'LLM turn').first();
  await expect(turn.locator('.tree-tokens')).toHaveText('?→?');
  await expect(treeRow(page, 'RLM').first().locator('.tree-tokens')).toHaveText('?→?');
  await expect(page.getByRole('region', { name: 'Run meter' })).toContainText(/Tokens\s*unknown/i);
  await turn.click();
  await expect(nodeDetail(page).getByText('unknown in → unknown out')).toBeVisible();
  await expect(nodeDetail(page).getByText('the log gives no token counts for this call')).toBeVisible();
  await expect(nodeDetail(page).getByText(/0 in → 0 out/)).toHaveCount(0);
  await shot('import-run-turn');

  // A cell: its code in Monaco, highlighted by the Python grammar (a `#` comment is one token).
  const cells = treeRow(page, 'cell');
  await expect(cells).not.toHaveCount(0);
  await cells.nth(1).click();
  await expect(detailTitle(page)).toContainText('Code cell');
  const code = nodeDetail(page).getByRole('group', { name: 'Code' });
  await expect(code).toHaveAttribute('data-language', 'python');
  const lines = code.locator('.view-lines');
  await expect(lines).toContainText('import random');
  // (Monaco renders spaces as no-break spaces, which \s matches.)
  await expect(lines.locator('span span', { hasText: /^#\sGenerate\sa\srandom\snumber\sbetween\s1\sand\s100$/ })).toHaveCount(1);
  await shot('import-run-cell');
});

test('a file that is no log is refused with one line naming it, and imports nothing', async ({ page }) => {
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  await page.getByLabel('Import runs').setInputFiles({ name: 'notes.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from('not a log\n') });
  await expect(page.getByRole('alert').or(page.getByRole('status')).filter({ hasText: /Not imported: notes\.jsonl: / })).toBeVisible();
  await expect(page.getByText('No runs yet', { exact: false })).toBeVisible();
});

test('a log dropped on the runs list is imported, and a portable file (gzip) through the button too', async ({ page, server }, testInfo) => {
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  const screen = page.locator('.runs-screen');
  const dataTransfer = await dataTransferOf(page, [{ name: 'dropped.jsonl', content: readFileSync(LOG, 'utf8') }]);
  await screen.dispatchEvent('dragenter', { dataTransfer });
  await expect(page.getByText('Drop to import runs from these files')).toBeVisible();
  await screen.dispatchEvent('drop', { dataTransfer });
  await expect(page.getByRole('status').filter({ hasText: '6 runs imported from dropped.jsonl' })).toBeVisible();
  const list = page.getByRole('list', { name: 'Runs' });
  await expect(list.getByRole('link')).toHaveCount(6);

  // One of them written to a portable file by the CLI, then sent back from the page: the upload
  // is binary (gzip), which only an import upload may be.
  await list.getByRole('link', { name: /Pick a color/ }).click();
  const runId = decodeURIComponent(new URL(page.url()).hash.replace('#/runs/', ''));
  const portable = testInfo.outputPath('color.rlmscope');
  execFileSync(process.execPath, [CLI, 'export', runId, '-o', portable, '--db', server.dbPath]);
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  await page.getByLabel('Import runs').setInputFiles(portable);
  await expect(page.getByRole('status').filter({ hasText: '1 run imported from color.rlmscope' })).toBeVisible();
  await expect(list.getByRole('link')).toHaveCount(7);
});
