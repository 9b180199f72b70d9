// "Fork from here" (issue 12): a finished run's cell is forked with its code edited in Monaco; the
// fork opens as a new run whose unchanged first turn is answered from the recording (tagged
// "cached"), its header links back to the parent at the changed cell, and the runs list shows the
// fork under its parent.
import { expect, rules, test } from './fixtures';
import { expectStatus, nodeDetail, repl, rootTurn, startRun, SUB_MODEL, treeItems, treeRow } from './helpers';

test.use({
  rules: rules(
    rootTurn(0, { text: repl('print("one")') }),
    rootTurn(1, { text: repl('const a = await llm_query("say hi");\nprint(`two: ${a}`)') }),
    rootTurn(2, { text: 'FINAL(done)' }),
    { match: { model: SUB_MODEL }, reply: { text: 'hi!' } },
  ),
});

test('forks a finished run from a cell with edited code, lands on the fork and follows its link back', async ({ page, shot }) => {
  const parentId = await startRun(page, { query: 'Fork me', pasted: 'a document' });
  await expectStatus(page, 'completed');

  // The first cell: its code becomes editable in place.
  await treeRow(page, 'print("one")').click();
  const detail = nodeDetail(page);
  await expect(detail.getByRole('heading', { level: 2 })).toContainText('Code cell');
  const cellId = Number(((await detail.getByText(/^#\d+$/).textContent()) ?? '').slice(1));
  const forkButton = detail.getByRole('button', { name: 'Fork from here' });
  await forkButton.click();
  const editing = detail.getByRole('group', { name: 'Fork: edit the code' });
  const code = editing.getByRole('textbox', { name: 'Edited code' });
  await expect(code).toBeFocused();
  await expect(editing).toContainText('unchanged: the fork will replay the recording');
  // Escape cancels and gives the focus back to the button; nothing was started.
  await page.keyboard.press('Escape');
  await expect(editing).toHaveCount(0);
  await expect(forkButton).toBeFocused();

  await forkButton.press('Enter');
  await expect(code).toBeFocused();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('print("edited")');
  await expect(editing.locator('.view-lines')).toHaveText('print("edited")');
  await expect(editing).not.toContainText('unchanged');
  await shot('fork-edit');

  await editing.getByRole('button', { name: 'Start fork' }).click();
  await expect(page).not.toHaveURL(new RegExp(`#/runs/${parentId}$`));
  await expect(page).toHaveURL(/#\/runs\/[^/?]+$/);
  const forkId = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/runs\//, ''));
  expect(forkId).not.toBe(parentId);
  await expectStatus(page, 'completed', 30_000);

  // The fork names its parent and the node it changed; its unchanged first turn came from the cache.
  const origin = page.getByRole('link', { name: /Forked from/ });
  await expect(origin).toHaveText(`Forked from ${parentId} at node ${cellId}`);
  await expect(page.getByRole('button', { name: 'Compare', exact: true })).toBeVisible();
  const cached = treeItems(page).filter({ has: page.getByTitle(/^answered from the recording/) });
  expect(await cached.count()).toBeGreaterThanOrEqual(1);
  await expect(cached.first().getByTitle(/^answered from the recording/)).toBeVisible();
  await expect(cached.first().getByTitle(/^answered from the recording/)).toHaveText('cached');
  await expect(page.getByRole('region', { name: 'Run meter' })).toContainText(/\d+ from cache/);
  await cached.first().click();
  await expect(detail).toContainText('Cached: answered from the recording of the run this was forked from: no request, no cost.');
  await expect(detail).not.toContainText('unknown');
  // The changed cell ran the edited code.
  await treeRow(page, 'print("edited")').click();
  await expect(detail).toContainText('Outputedited');
  // The engine applies a cell's new code as the reply of the turn that wrote it: that turn is the
  // step the fork changed, a reply no model was asked for, so no cost — a dash, not "unknown".
  const editedTurn = treeItems(page).filter({ hasText: 'LLM turn' }).first();
  await expect(editedTurn.locator('.tree-cost')).toHaveText('—');
  await editedTurn.click();
  await expect(detail.getByTitle('the step this fork changed')).toHaveText('edited');
  await expect(detail).toContainText('print("edited")');
  await shot('fork-header');

  // The runs list: the fork directly under its parent, marked.
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  const links = page.getByRole('list', { name: 'Runs' }).getByRole('link');
  await expect(links).toHaveCount(2);
  await expect(links.nth(0)).toHaveAttribute('href', `#/runs/${parentId}`);
  await expect(links.nth(1)).toHaveAttribute('href', `#/runs/${forkId}`);
  await expect(links.nth(1)).toContainText('fork');
  await shot('runs-list-fork');
  // Up and Down still walk the rows in the order shown.
  await links.nth(0).focus();
  await page.keyboard.press('ArrowDown');
  await expect(links.nth(1)).toBeFocused();

  // Back to the fork, and through its link to the parent with the changed cell selected.
  await links.nth(1).click();
  await page.getByRole('link', { name: /Forked from/ }).click();
  await expect(page).toHaveURL(new RegExp(`#/runs/${parentId}\\?node=${cellId}$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Fork me' })).toBeVisible();
  await expect(detail.getByText(`#${cellId}`, { exact: true })).toBeVisible();
  await expect(detail.getByRole('group', { name: 'Code' })).toContainText('print("one")');
  await expect(treeItems(page).filter({ has: page.getByTitle(/^answered from the recording/) })).toHaveCount(0);
});
