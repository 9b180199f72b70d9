// The runs list: earlier runs open by a click or by the keyboard, and a finished run can be
// deleted after a confirmation.
import { expect, rules, test } from './fixtures';
import { expectStatus, rootTurn, startRun } from './helpers';

test.use({ rules: rules({ match: { contains: 'alpha' }, reply: { text: 'FINAL(answer about alpha)' } }, rootTurn(0, { text: 'FINAL(answer about beta)' })) });

const FIRST = 'First question, about alpha';
const SECOND = 'Second question, about beta';

async function twoFinishedRuns(page: import('@playwright/test').Page): Promise<void> {
  await startRun(page, { query: FIRST, pasted: 'alpha text' });
  await expectStatus(page, 'completed');
  await startRun(page, { query: SECOND, pasted: 'beta text' });
  await expectStatus(page, 'completed');
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Runs' })).toBeVisible();
}

test('an earlier run opens from its row, by a click and by the keyboard', async ({ page, shot }) => {
  await twoFinishedRuns(page);
  const list = page.getByRole('list', { name: 'Runs' });
  const rows = list.getByRole('link');
  await expect(rows).toHaveCount(2);
  // Newest first; each row names its query, status and models.
  await expect(rows.nth(0)).toContainText(SECOND);
  await expect(rows.nth(1)).toContainText(FIRST);
  await expect(rows.nth(1)).toContainText('completed');
  await expect(rows.nth(1)).toContainText('gpt-5 / gpt-5-mini');
  await expect(page.getByText('2 runs', { exact: true })).toBeVisible();
  await shot('runs-list');

  // A click on the earlier run.
  await list.getByRole('link', { name: new RegExp(FIRST) }).click();
  await expect(page.getByRole('heading', { level: 1, name: FIRST })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('answer about alpha');

  // The keyboard: onto the newest row, Down to the earlier one, Enter.
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  await list.getByRole('link', { name: new RegExp(SECOND) }).focus();
  await page.keyboard.press('ArrowDown');
  await expect(list.getByRole('link', { name: new RegExp(FIRST) })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: FIRST })).toBeVisible();
  await expectStatus(page, 'completed');

  // Back, the search narrows the list to the run that matches.
  await page.goBack();
  await page.getByRole('searchbox', { name: 'Search runs' }).fill('beta');
  await expect(list.getByRole('link')).toHaveCount(1);
  await expect(list.getByRole('link')).toContainText(SECOND);
});

test('a finished run is deleted after its confirmation, and stays deleted', async ({ page }) => {
  await twoFinishedRuns(page);
  const list = page.getByRole('list', { name: 'Runs' });

  // Cancel first: nothing happens.
  await page.getByRole('button', { name: `Delete run ${FIRST}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete this run?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(FIRST);
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(list.getByRole('link')).toHaveCount(2);

  // Escape cancels too.
  await page.getByRole('button', { name: `Delete run ${FIRST}` }).click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(list.getByRole('link')).toHaveCount(2);

  // Confirmed, it goes.
  await page.getByRole('button', { name: `Delete run ${FIRST}` }).click();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Run deleted' })).toBeVisible();
  await expect(list.getByRole('link')).toHaveCount(1);
  await expect(list.getByRole('link')).toContainText(SECOND);

  await page.reload();
  await expect(list.getByRole('link')).toHaveCount(1);
  await expect(list).not.toContainText(FIRST);
});
