// "Rerun…" (issue 12): a finished run re-run with another root model and no edit. The new run
// opens, names its parent "(other settings)", runs on the new root model (every root turn live),
// and its sub-call, whose request is unchanged, is answered from the recording ("cached"). The
// dialog keeps the keyboard inside, checks its fields before sending, and a refusal is one line
// that keeps the values.
import { expect, rules, test } from './fixtures';
import { expectStatus, repl, ROOT_MODEL, startRun, SUB_MODEL, treeItems } from './helpers';

// Rules by turn and prompt, not by model: the root gives the same replies as ROOT_MODEL or as
// SUB_MODEL, so the rerun on SUB_MODEL writes the same code and asks the same sub-call. The
// sub-call's rule comes first: it is a first turn too. The root's first reply is slow, so the
// run can be seen going.
test.use({
  rules: rules(
    { match: { contains: 'say hi', turn: 0 }, reply: { text: 'hi!' } },
    { match: { turn: 0 }, reply: { text: repl('const a = await llm_query("say hi");\nprint(`one: ${a}`)'), delayMs: 1500 } },
    { match: { turn: 1 }, reply: { text: 'FINAL(done)' } },
  ),
});

test('reruns a finished run on another root model: its unchanged sub-call comes from the recording', async ({ page, server, shot }) => {
  const parentId = await startRun(page, { query: 'Rerun me', pasted: 'a document' });
  const rerun = page.getByRole('button', { name: 'Rerun…' });
  // While the run goes, the button says why it cannot be pressed yet.
  await expect(rerun).toBeDisabled();
  await expect(rerun).toHaveAttribute('title', /still going/);
  await expectStatus(page, 'completed');
  await expect(rerun).toBeEnabled();

  // The dialog opens with the run's settings, the focus on its first field; Escape closes it and
  // gives the focus back to the button.
  await rerun.click();
  const dialog = page.getByRole('dialog', { name: 'Rerun with other settings' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAccessibleDescription(/answered from it at no cost/);
  const rootModel = dialog.getByLabel('Root model');
  const subModel = dialog.getByLabel('Sub model');
  const maxCost = dialog.getByLabel('Max cost (USD)');
  const maxIterations = dialog.getByLabel('Max iterations');
  await expect(rootModel).toBeFocused();
  await expect(rootModel).toHaveValue(ROOT_MODEL);
  await expect(subModel).toHaveValue(SUB_MODEL);
  await expect(maxCost).toHaveValue('');
  await expect(maxIterations).toHaveValue('30');
  await expect(dialog).toContainText('Calls whose request still matches the recording are answered from it at no cost; the rest go live.');
  await expect(dialog).toContainText('unchanged: the rerun will replay the recording');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(rerun).toBeFocused();

  // The focus stays in the dialog: Tab past its last button comes back to its first field.
  await rerun.press('Enter');
  await expect(rootModel).toBeFocused();
  for (let i = 0; i < 6; i++) await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Start rerun' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(rootModel).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Start rerun' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();

  // Bad values are named beside their fields and nothing is sent.
  await rootModel.fill('  ');
  await maxCost.fill('-1');
  await dialog.getByRole('button', { name: 'Start rerun' }).click();
  await expect(dialog).toContainText('enter a model name');
  await expect(dialog).toContainText('a positive number of dollars');
  await expect(rootModel).toBeFocused();
  await expect(page).toHaveURL(new RegExp(`#/runs/${parentId}$`));

  await rootModel.fill(SUB_MODEL);
  await maxCost.fill('');
  await expect(dialog).not.toContainText('enter a model name');
  await expect(dialog).not.toContainText('unchanged');
  await shot('rerun-dialog');
  await rootModel.press('Enter');

  await expect(page).not.toHaveURL(new RegExp(`#/runs/${parentId}$`));
  await expect(page).toHaveURL(/#\/runs\/[^/?]+$/);
  const rerunId = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/runs\//, ''));
  expect(rerunId).not.toBe(parentId);
  await expectStatus(page, 'completed', 30_000);
  await expect(page.getByRole('link', { name: /Forked from/ })).toHaveText(`Forked from ${parentId} (other settings)`);
  await expect(page.locator('.run-meta')).toContainText(`root ${SUB_MODEL}`);
  await expect(page.locator('.run-answer')).toContainText('done');
  // Every root turn went live on the new model; the sub-call, asked the same, came from the recording.
  const cached = treeItems(page).filter({ has: page.getByTitle(/^answered from the recording/) });
  await expect(cached).toHaveCount(1);
  await expect(cached.getByTitle(/^answered from the recording/)).toHaveText('cached');
  await expect(cached.filter({ hasText: 'LLM turn' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Run meter' })).toContainText('1 from cache');
  await shot('rerun-header');

  // Back on the parent, a rerun whose parent was deleted meanwhile (from another tab) is refused in one line; the values stay.
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: 'Rerun me' })).toBeVisible();
  await expectStatus(page, 'completed');
  await page.getByRole('button', { name: 'Rerun…' }).click();
  await dialog.getByLabel('Sub model').fill('some-other-model');
  const other = await page.context().newPage();
  await other.goto(`${server.origin}/#/runs`);
  await other.getByRole('listitem').filter({ has: other.locator(`a[href="#/runs/${parentId}"]`) }).getByRole('button', { name: /^Delete run/ }).click();
  await other.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(other.getByRole('list', { name: 'Runs' }).getByRole('link')).toHaveCount(1);
  await other.close();
  await dialog.getByRole('button', { name: 'Start rerun' }).click();
  const refusal = dialog.getByRole('alert');
  await expect(refusal).toHaveText(/^The rerun was refused: .+/);
  expect(await refusal.evaluate((el) => el.getBoundingClientRect().height)).toBeLessThan(30);
  await expect(dialog.getByLabel('Sub model')).toHaveValue('some-other-model');
  await expect(dialog.getByRole('button', { name: 'Start rerun' })).toBeEnabled();
  await shot('rerun-refused');
  await expect(page).toHaveURL(new RegExp(`#/runs/${parentId}$`));
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Rerun…' })).toBeFocused();
});
