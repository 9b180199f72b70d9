// Errors are shown where they happened: a provider refusing the key or failing, a cell that
// throws. Never a blank.
import { expect, rules, test } from './fixtures';
import { detailTitle, expectStatus, nodeDetail, openSettings, repl, rootTurn, saveSettings, startRun, treeRow } from './helpers';

test.describe('a provider that refuses the key', () => {
  test('fails the run, and the run view says why and where', async ({ page, shot }) => {
    // A wrong key stored in Settings wins over the server's (right) one: the fake provider answers 401.
    await openSettings(page);
    await page.getByLabel('API key').fill('sk-e2e-not-the-right-key');
    await saveSettings(page);

    await startRun(page, { query: 'Will the key be accepted?', pasted: 'x' });
    await expectStatus(page, 'failed');
    const main = page.getByRole('main');
    await expect(main).toContainText('Error');
    await expect(main).toContainText('401');
    await expect(main).toContainText('Incorrect API key provided');
    await expect(main).not.toContainText('sk-e2e-not-the-right-key');

    // "Show where" opens the call that failed, with its error.
    await page.getByRole('button', { name: 'Show where' }).click();
    await expect(treeRow(page, 'LLM turn')).toHaveAttribute('aria-selected', 'true');
    await expect(treeRow(page, 'LLM turn')).toContainText('failed');
    const error = nodeDetail(page).getByRole('note', { name: 'Error' });
    await expect(error).toContainText('401');
    await shot('run-view-failed-401');
  });
});

test.describe('a provider that keeps failing', () => {
  // 500 every time, with retry-after-ms: 0 so the client's retries do not wait.
  test.use({ rules: rules({ reply: { status: 500, error: 'the upstream model crashed', retryAfterMs: 0 } }) });

  test('fails the run with the provider\'s message after its retries', async ({ page }) => {
    await startRun(page, { query: 'Will the provider answer?', pasted: 'x' });
    await expectStatus(page, 'failed');
    const main = page.getByRole('main');
    await expect(main).toContainText('500');
    await expect(main).toContainText('the upstream model crashed');
    await page.getByRole('button', { name: 'Show where' }).click();
    await expect(nodeDetail(page).getByRole('note', { name: 'Error' })).toContainText('the upstream model crashed');
  });
});

test.describe('a cell that throws', () => {
  test.use({
    rules: rules(
      rootTurn(0, { text: repl("const settingsBlob = JSON.parse('{not valid json');\nprint('never printed');") }),
      rootTurn(1, { text: 'FINAL(recovered from the bad JSON)' }),
    ),
  });

  test('shows its error in the cell\'s detail, and the run goes on', async ({ page }) => {
    await startRun(page, { query: 'Parse the settings', pasted: '{not valid json' });
    await expectStatus(page, 'completed');
    await expect(page.getByRole('main')).toContainText('recovered from the bad JSON');

    const cell = treeRow(page, 'cell');
    await expect(cell).toContainText('failed');
    await cell.click();
    const detail = nodeDetail(page);
    await expect(detailTitle(page)).toContainText('failed');
    const error = detail.getByRole('note', { name: 'Error' });
    await expect(error).toBeVisible();
    await expect(error).toContainText('SyntaxError');
    await expect(detail.getByRole('heading', { name: 'Output' })).toBeVisible();
    await expect(detail.getByText('No output.')).toBeVisible();
    await expect(detail.getByRole('group', { name: 'Code' })).toContainText('settingsBlob');
  });
});
