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
  // Escape closes the editor's own find box first; then it cancels and gives the focus back to
  // the button. Nothing was started.
  await page.keyboard.press('ControlOrMeta+F');
  const find = editing.locator('.find-widget.visible');
  await expect(find).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(find).toHaveCount(0);
  await expect(editing).toBeVisible();
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
  await expect(detail.getByTitle('the step this fork changed')).toHaveText('edited');
  // The turn that wrote that code now carries the new code in place of the model's reply: a reply
  // no model was asked for, so no cost — a dash, not "unknown" — and marked edited too.
  const editedTurn = treeItems(page).filter({ hasText: 'LLM turn' }).first();
  await expect(editedTurn.locator('.tree-cost')).toHaveText('—');
  await editedTurn.click();
  await expect(detail.getByTitle('the step this fork changed')).toHaveText('edited');
  await expect(detail).toContainText("this reply carries the changed cell's new code");
  await expect(detail).toContainText('print("edited")');
  await shot('fork-header');

  // "Compare" sets the fork beside its parent; their first divergence is the step the fork changed.
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`#/compare/${parentId}/${forkId}$`));
  await expect(page.getByRole('region', { name: 'Run comparison' }).getByRole('status').filter({ hasText: 'First divergence' })).toBeVisible();

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
  // The Compare boxes tick the runs they sit beside, in the nested order too.
  const boxes = page.getByRole('checkbox', { name: /^Select run .* to compare$/ });
  await boxes.nth(1).check();
  await boxes.nth(0).check();
  await expect(boxes.nth(1)).toBeChecked();
  await expect(page.getByRole('button', { name: 'Compare', exact: true })).toBeEnabled();
  await boxes.nth(0).uncheck();
  await boxes.nth(1).uncheck();

  // Back to the fork, and through its link to the parent with the changed cell selected.
  await links.nth(1).click();
  await page.getByRole('link', { name: /Forked from/ }).click();
  await expect(page).toHaveURL(new RegExp(`#/runs/${parentId}\\?node=${cellId}$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Fork me' })).toBeVisible();
  await expect(detail.getByText(`#${cellId}`, { exact: true })).toBeVisible();
  await expect(detail.getByRole('group', { name: 'Code' })).toContainText('print("one")');
  await expect(treeItems(page).filter({ has: page.getByTitle(/^answered from the recording/) })).toHaveCount(0);
});

test("forks from a turn's reply with Ctrl+Enter; a refused fork says why in one line and keeps the edit; a deleted parent is named, not linked", async ({ page, server, shot }) => {
  const parentId = await startRun(page, { query: 'Fork my reply', pasted: 'a document' });
  await expectStatus(page, 'completed');
  const detail = nodeDetail(page);

  // The last turn's reply, rewritten: every call before it is answered from the recording.
  await treeRow(page, 'FINAL(done)').click();
  const turnId = Number(((await detail.getByText(/^#\d+$/).textContent()) ?? '').slice(1));
  await detail.getByRole('button', { name: 'Fork from here' }).click();
  const editing = detail.getByRole('group', { name: 'Fork: edit the reply' });
  await expect(editing.getByRole('textbox', { name: 'Edited reply' })).toBeFocused();
  await expect(editing.locator('.view-lines')).toHaveText('FINAL(done)');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('FINAL(changed)');
  await shot('fork-edit-reply');
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(page).not.toHaveURL(new RegExp(`#/runs/${parentId}$`));
  const forkId = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/runs\//, ''));
  await expectStatus(page, 'completed', 30_000);
  await expect(page.getByRole('link', { name: /Forked from/ })).toHaveText(`Forked from ${parentId} at node ${turnId}`);
  await expect(page.locator('.run-answer')).toContainText('changed');
  // No live call at all: the two turns and the sub-call before the edit came from the recording.
  const meter = page.getByRole('region', { name: 'Run meter' });
  await expect(meter).toContainText('3 from cache');
  await expect(treeItems(page).filter({ has: page.getByTitle(/^answered from the recording/) })).toHaveCount(3);
  await treeRow(page, 'FINAL(changed)').click();
  await expect(detail.getByTitle('the step this fork changed')).toHaveText('edited');

  // Back on the parent, a second fork is refused (the parent was deleted from another tab meanwhile).
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: 'Fork my reply' })).toBeVisible();
  await treeRow(page, 'FINAL(done)').click();
  await detail.getByRole('button', { name: 'Fork from here' }).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('FINAL(again)');
  const other = await page.context().newPage();
  await other.goto(`${server.origin}/#/runs`);
  // The parent and its fork share a query: the parent's row is the one linking to it.
  await other.getByRole('listitem').filter({ has: other.locator(`a[href="#/runs/${parentId}"]`) }).getByRole('button', { name: /^Delete run/ }).click();
  await other.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(other.getByRole('list', { name: 'Runs' }).getByRole('link')).toHaveCount(1);
  await other.close();
  const editAgain = detail.getByRole('group', { name: 'Fork: edit the reply' });
  await editAgain.getByRole('button', { name: 'Start fork' }).click();
  const refusal = editAgain.getByRole('alert');
  await expect(refusal).toHaveText(/^The fork was refused: .+/);
  await expect(editAgain.locator('.view-lines')).toHaveText('FINAL(again)');
  expect(await refusal.evaluate((el) => el.getBoundingClientRect().height)).toBeLessThan(30);
  await expect(page).toHaveURL(new RegExp(`#/runs/${parentId}$`));

  // The fork names its deleted parent without a link, and offers no comparison with it.
  await page.goto(`${server.origin}/#/runs/${forkId}`);
  await expectStatus(page, 'completed');
  await expect(page.getByText(`Forked from ${parentId} (deleted)`)).toBeVisible();
  await expect(page.getByRole('link', { name: /Forked from/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Compare', exact: true })).toHaveCount(0);
});
