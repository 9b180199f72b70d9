// A folder that holds an empty file (a Python package's __init__.py, a rotated log) goes in from
// the page like any other: the empty file is an empty string in `context`, not a failed upload.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, rules, test } from './fixtures';
import { dataTransferOf, expectStatus, nodeDetail, repl, rootTurn, submitRun } from './helpers';

// The answer lists every name with its length: it can only be right if the empty file arrived.
const LIST_CODE = 'FINAL(context_names.map((name, i) => name + "=" + context[i].length).join(" "));';

test.use({ rules: rules(rootTurn(0, { text: repl(LIST_CODE) }), rootTurn(1, { text: 'FINAL(the code did not answer)' })) });

test.beforeEach(async ({ page }) => {
  await page.getByRole('button', { name: 'New run', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New run' })).toBeVisible();
});

test('a folder picked with "Add folder" that holds an empty __init__.py runs to an answer', async ({ page }, testInfo) => {
  const folder = testInfo.outputPath('pkg');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, '__init__.py'), '');
  writeFileSync(join(folder, 'mod.py'), 'x = 1\n');
  await page.getByLabel('Add folder').setInputFiles(folder);

  const inputs = page.getByRole('list', { name: 'Chosen inputs' });
  await expect(inputs).toContainText('pkg');
  await expect(inputs).toContainText('ready');
  await expect(inputs.getByRole('alert')).toHaveCount(0);

  await submitRun(page, { query: 'Which files does the package hold?' });
  await expectStatus(page, 'completed');
  // The context as the page lists it, and the answer's end (its start, `__init__`, is the raw
  // view's business, section 1 of issue 8: rendered as markdown today).
  await expect(nodeDetail(page)).toContainText('pkg/__init__.py (0 chars)');
  await expect(nodeDetail(page)).toContainText('.py=0 pkg/mod.py=6');
});

test('dropped files, one of them empty, run to an answer', async ({ page }) => {
  const dataTransfer = await dataTransferOf(page, [
    { name: 'empty.txt', content: '' },
    { name: 'notes.txt', content: 'hello' },
  ]);
  await page.getByText('Drop files or folders here').dispatchEvent('drop', { dataTransfer });
  const inputs = page.getByRole('list', { name: 'Chosen inputs' });
  await expect(inputs.getByRole('listitem')).toHaveCount(2);
  await expect(inputs.getByText('ready')).toHaveCount(2);
  await expect(inputs.getByRole('alert')).toHaveCount(0);

  await submitRun(page, { query: 'How long is each file?' });
  await expectStatus(page, 'completed');
  await expect(nodeDetail(page)).toContainText('empty.txt=0 notes.txt=5');
});
