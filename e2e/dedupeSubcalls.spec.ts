// "Deduplicate sub-calls" (issue 13): the Settings default is saved and shown on New run; a run
// with it sends one request for repeated sub-calls, and the detail of a repeat names the node
// whose identical sub-call answered it.
import { expect, rules, test } from './fixtures';
import { expectStatus, nodeDetail, openSettings, repl, rootTurn, saveSettings, startRun, SUB_MODEL, treeItems } from './helpers';

/** The rerun's sub model: its sub-calls match nothing in the recording, so they go live. */
const OTHER_SUB = 'other-mini';

test.use({
  rules: rules(
    rootTurn(0, { text: repl("const same = await llm_query_batched(['capital of France?', 'capital of France?', 'capital of France?']);\nprint(same.join(', '))") }),
    rootTurn(1, { text: 'FINAL(Paris)' }),
    { match: { model: SUB_MODEL }, reply: { text: 'Paris', delayMs: 100 } },
    { match: { model: OTHER_SUB }, reply: { text: 'Paris', delayMs: 100 } },
  ),
});

test('the saved default ticks New run, and a repeated sub-call is answered by the first with no request', async ({ page, shot }) => {
  await openSettings(page);
  const box = page.getByRole('checkbox', { name: 'Deduplicate sub-calls' });
  await expect(box).not.toBeChecked();
  await box.check();
  await expect(page.getByText('Unsaved changes')).toBeVisible();
  await saveSettings(page);
  await shot('settings-dedupe');
  await page.reload();
  await expect(page.getByRole('checkbox', { name: 'Deduplicate sub-calls' })).toBeChecked();

  await page.getByRole('button', { name: 'New run', exact: true }).click();
  await expect(page.getByRole('checkbox', { name: 'Deduplicate sub-calls' })).toBeChecked();
  await startRun(page, { query: 'Capital?', pasted: 'x' });
  await expectStatus(page, 'completed');
  // Two turns and one sub-call went to the provider; the two repeats came from the first.
  await expect(page.getByRole('main')).toContainText('2 from cache');

  const cached = treeItems(page).filter({ hasText: 'cached' });
  await expect(cached).toHaveCount(2);
  // The sub-call that went out: not cached, and not the cell whose code names the prompt.
  const first = treeItems(page).filter({ hasText: 'capital of France?' }).filter({ hasNotText: 'cached' }).filter({ hasNotText: 'llm_query_batched' });
  await first.click();
  const firstId = Number(((await nodeDetail(page).getByText(/^#\d+$/).textContent()) ?? '').slice(1));
  await cached.first().click();
  await expect(nodeDetail(page)).toContainText(`Cached: answered by the identical sub-call at node ${firstId} (--dedupe-subcalls): no request, no cost.`);
  await shot('dedupe-detail');
});

test('Rerun… can turn deduplication on: the repeats of a live sub-call are answered by the first', async ({ page, shot }) => {
  await startRun(page, { query: 'Capital, asked three times', pasted: 'x' });
  await expectStatus(page, 'completed');
  // Off by default: the three identical sub-calls were three requests, none cached.
  await expect(treeItems(page).filter({ hasText: 'cached' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Rerun…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Rerun with other settings' });
  const box = dialog.getByRole('checkbox', { name: 'Deduplicate sub-calls' });
  await expect(box).not.toBeChecked();
  await expect(box).toHaveAccessibleDescription(/same model, same prompt/);
  await box.check();
  await expect(dialog).not.toContainText('unchanged: the rerun will replay the recording');
  // Another sub model, so the sub-calls are not answered by the recording but sent again.
  await dialog.getByLabel('Sub model').fill(OTHER_SUB);
  await shot('rerun-dedupe');
  await dialog.getByRole('button', { name: 'Start rerun' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Capital, asked three times' })).toBeVisible();
  await expectStatus(page, 'completed');

  // The root's two turns come from the recording; of the three sub-calls one went out and the
  // two repeats were answered by it.
  const deduped = treeItems(page).filter({ hasText: 'capital of France?' }).filter({ hasText: 'cached' });
  await expect(deduped).toHaveCount(2);
  await deduped.first().click();
  await expect(nodeDetail(page)).toContainText('(--dedupe-subcalls): no request, no cost.');
});
