// "Deduplicate sub-calls" (issue 13): the Settings default is saved and shown on New run; a run
// with it sends one request for repeated sub-calls, and the detail of a repeat names the node
// whose identical sub-call answered it.
import { expect, rules, test } from './fixtures';
import { expectStatus, nodeDetail, openSettings, repl, rootTurn, saveSettings, startRun, SUB_MODEL, treeItems } from './helpers';

test.use({
  rules: rules(
    rootTurn(0, { text: repl("const same = await llm_query_batched(['capital of France?', 'capital of France?', 'capital of France?']);\nprint(same.join(', '))") }),
    rootTurn(1, { text: 'FINAL(Paris)' }),
    { match: { model: SUB_MODEL }, reply: { text: 'Paris', delayMs: 100 } },
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
