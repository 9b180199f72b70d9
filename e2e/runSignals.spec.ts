// Run-away signals (issue 13) in the window: a cell that sends the same llm_query prompt three
// times is flagged "duplicate sub-calls" on its row while the run goes on; the header's "⚠ 1 signal"
// lists it with its cost and selects the cell from the list (by mouse and by keyboard, Escape
// giving the focus back); the cell's detail says what the signal saw; the runs list marks the run
// with an icon whose tooltip holds the message, without getting in the way of Up/Down or Compare.
import { expect, rules, test } from './fixtures';
import { callCost, dollars, expectStatus, nodeDetail, PRICES, repl, rootTurn, startRun, SUB_MODEL, treeItems } from './helpers';

const SUB_USAGE = { prompt_tokens: 1000, completion_tokens: 100 };
const PROMPT = 'What is the capital of France?';
/** Another root model: its run makes no sub-call, and has no signal. */
const HEALTHY_MODEL = 'gpt-5-healthy';

test.use({
  rules: rules(
    rootTurn(0, { text: repl(`const answers = [];\nfor (let i = 0; i < 3; i++) answers.push(await llm_query(${JSON.stringify(PROMPT)}));\nprint(answers.join(" "))`) }),
    // The run goes on a while after the cell: its flag shows while it is running.
    rootTurn(1, { text: 'FINAL(Paris)', delayMs: 2500 }),
    rootTurn(0, { text: 'FINAL(fine)' }, HEALTHY_MODEL),
    { match: { model: SUB_MODEL }, reply: { text: 'Paris', usage: SUB_USAGE } },
  ),
});

test('flags a cell that repeats a sub-call, on its row, in the header, in its detail and in the runs list', async ({ page, shot }) => {
  const runId = await startRun(page, { query: 'Ask the same thing three times', pasted: 'a document' });
  const cell = treeItems(page).filter({ has: page.locator('.tree-kind-cell') });
  const flag = cell.getByTitle(/^Duplicate sub-calls: /);
  // Live: flagged while the run is still going.
  await expect(flag).toBeVisible();
  await expect(page.getByRole('status', { name: 'Run status' })).toHaveText('running');
  await expectStatus(page, 'completed', 30_000);

  // Two of the three sends were copies; their cost is what --dedupe-subcalls would have saved.
  const copiesCost = dollars(2 * callCost(SUB_USAGE, PRICES[SUB_MODEL]));
  await expect(flag).toHaveAttribute('title', /^Duplicate sub-calls: 2 sub-calls repeated an earlier \(model, prompt\): 1 prompt sent more than once, one up to 3 times\./);
  await expect(cell).toHaveCount(1);
  await expect(cell).toContainText('signal: duplicate sub-calls');
  await expect(treeItems(page).filter({ has: page.locator('.tree-signal') })).toHaveCount(1);
  await shot('signals-row');
  // Collapsed, the root says that a row it hides carries a flag; expanded again, it does not.
  const root = treeItems(page).first();
  await root.locator('.tree-toggle').click();
  await expect(root).toHaveAttribute('aria-expanded', 'false');
  await expect(cell).toHaveCount(0);
  const below = root.getByTitle('Rows hidden here carry signals: expand to see them');
  await expect(below).toHaveText('signals in hidden rows');
  await shot('signals-collapsed');
  await root.locator('.tree-toggle').click();
  await expect(below).toHaveCount(0);
  await expect(cell).toHaveCount(1);

  // The header's summary: one signal, opened by a click; its item selects the cell.
  const detail = nodeDetail(page);
  await treeItems(page).first().click();
  await expect(detail.getByRole('note', { name: /Run-away signal/ })).toHaveCount(0);
  const summary = page.getByRole('button', { name: '1 signal', exact: true });
  await expect(summary).toHaveAttribute('aria-expanded', 'false');
  await summary.click();
  const list = page.getByRole('dialog', { name: 'Run-away signals' });
  await expect(list).toBeVisible();
  const item = list.getByRole('button', { name: /^Duplicate sub-calls/ });
  await expect(item).toBeFocused();
  await expect(item).toContainText(copiesCost);
  await expect(item).toContainText('2 sub-calls repeated an earlier (model, prompt)');
  await shot('signals-header-open');
  await item.click();
  await expect(list).toHaveCount(0);
  const cellId = Number(((await detail.getByText(/^#\d+$/).textContent()) ?? '').slice(1));
  await expect(item).toHaveCount(0);
  await expect(cell).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tree', { name: 'Recursion tree' })).toBeFocused();
  // The cell's detail says which signal concerns it, and its cost.
  const note = detail.getByRole('note', { name: 'Run-away signal' });
  await expect(note).toContainText('Duplicate sub-calls');
  await expect(note).toContainText(`${copiesCost} so far`);
  await expect(note).toContainText('what --dedupe-subcalls would have saved');
  await shot('signals-detail');

  // By keyboard: Enter opens it on its item, Escape closes it back onto the button; ArrowDown
  // opens it too, and Enter on the item selects the cell again.
  await treeItems(page).first().click();
  await expect(cell).toHaveAttribute('aria-selected', 'false');
  await summary.focus();
  await page.keyboard.press('Enter');
  await expect(item).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(list).toHaveCount(0);
  await expect(summary).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(item).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(list).toHaveCount(0);
  await expect(cell).toHaveAttribute('aria-selected', 'true');
  await expect(detail.getByText(`#${cellId}`, { exact: true })).toBeVisible();

  // A healthy run beside it: no icon, no summary.
  await startRun(page, { query: 'Answer once', pasted: 'a document', rootModel: HEALTHY_MODEL });
  await expectStatus(page, 'completed');
  await expect(page.getByRole('button', { name: /^\d+ signals?$/ })).toHaveCount(0);

  // The runs list: the flagged run's row has the icon, with the message in its tooltip, and says
  // so to a screen reader (in the link's name the count, in its description the message).
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  const links = page.getByRole('list', { name: 'Runs' }).getByRole('link');
  await expect(links).toHaveCount(2);
  const flagged = links.nth(1);
  await expect(flagged).toHaveAttribute('href', `#/runs/${runId}`);
  const icon = flagged.getByTitle(/^Duplicate sub-calls: 2 sub-calls repeated/);
  await expect(icon).toBeVisible();
  await expect(icon.locator('span[aria-hidden="true"]')).toHaveText('1');
  await expect(flagged).toHaveAccessibleName(/^completed .*1 signal: Ask the same thing three times/);
  await expect(flagged).toHaveAccessibleDescription(/^Duplicate sub-calls: 2 sub-calls repeated an earlier \(model, prompt\)/);
  await expect(links.nth(0).locator('.runs-signals')).toHaveCount(0);
  await icon.hover();
  await shot('signals-runs-list');
  // Up and Down still walk the rows; the Compare boxes still tick the run they sit beside.
  await links.nth(0).focus();
  await page.keyboard.press('ArrowDown');
  await expect(flagged).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(links.nth(0)).toBeFocused();
  const boxes = page.getByRole('checkbox', { name: /^Select run .* to compare$/ });
  await boxes.nth(1).check();
  await expect(boxes.nth(1)).toBeChecked();
  await expect(boxes.nth(0)).not.toBeChecked();
  await boxes.nth(1).uncheck();
  // And the row still opens its run.
  await flagged.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Ask the same thing three times' })).toBeVisible();
  await expect(page.getByRole('button', { name: '1 signal', exact: true })).toBeVisible();
  // The dark theme has the same warning hues (styles.css).
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByRole('button', { name: '1 signal', exact: true }).click();
  await page.getByRole('dialog', { name: 'Run-away signals' }).getByRole('button').click();
  await expect(nodeDetail(page).getByRole('note', { name: 'Run-away signal' })).toBeVisible();
  await page.getByRole('button', { name: '1 signal', exact: true }).click();
  await shot('signals-dark');
});

test.describe('budget forecast', () => {
  // Each root turn costs the same ($0.00225 at gpt-5's price) and takes over a second: after two, the
  // cost limit is a few turns away, well before the iteration limit.
  const ROOT_USAGE = { prompt_tokens: 1000, completion_tokens: 100 };
  test.use({ rules: rules(...Array.from({ length: 16 }, (_, i) => rootTurn(i, { text: repl(`print("step ${i}")`, `Step ${i}.`), usage: ROOT_USAGE, delayMs: 1200 }))) });

  test('is listed for the whole run while it goes, and no longer once the limit has stopped it', async ({ page, shot }) => {
    await startRun(page, { query: 'Spend towards the limit', pasted: 'x', limits: { 'Max cost (USD)': '0.025' } });
    const summary = page.getByRole('button', { name: /^\d+ signals?$/ });
    await expect(summary).toBeVisible({ timeout: 20_000 });
    await expect(page.getByRole('status', { name: 'Run status' })).toHaveText('running');
    await summary.click();
    const list = page.getByRole('dialog', { name: 'Run-away signals' });
    const forecast = list.getByRole('listitem').filter({ hasText: 'Budget forecast' });
    await expect(forecast).toContainText('the whole run');
    await expect(forecast).toContainText(/cost limit/i);
    // Nothing to select for the whole run: not a button, and the list keeps the focus itself.
    await expect(forecast.getByRole('button')).toHaveCount(0);
    await expect(list).toBeFocused();
    await shot('signals-forecast');
    await page.keyboard.press('Escape');
    await expect(list).toHaveCount(0);
    await expect(summary).toBeFocused();

    await expectStatus(page, 'stopped', 30_000);
    await expect(page.getByRole('button', { name: /^\d+ signals?$/ })).toHaveCount(0);
    await page.getByRole('button', { name: 'Runs', exact: true }).click();
    await expect(page.getByRole('list', { name: 'Runs' }).getByRole('link')).toHaveCount(1);
    await expect(page.locator('.runs-signals')).toHaveCount(0);
  });
});
