// The runs list's figures: calls, tokens, depth and cost as the run made them, why a stopped run
// stopped, no cost for a run that made no call, and an unknown cost that fits its column.
import type { Locator, Page } from '@playwright/test';
import { expect, rules, test } from './fixtures';
import { callCost, dollars, expectStatus, PRICES, repl, ROOT_MODEL, rootTurn, startRun, SUB_MODEL } from './helpers';

const runsList = (page: Page) => page.getByRole('list', { name: 'Runs' });
const runRow = (page: Page, query: string): Locator => runsList(page).getByRole('listitem').filter({ has: page.getByRole('link', { name: new RegExp(query) }) });
const cell = (row: Locator, name: 'status' | 'calls' | 'tokens' | 'depth' | 'cost') => row.locator(`.runs-${name}`);

async function openRunsList(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Runs' })).toBeVisible();
}

/** Whether an element's text is cut (ellipsis or clipping): its content is wider than its box. */
const isClipped = (locator: Locator) => locator.evaluate((el) => el.scrollWidth > el.clientWidth + 1);

test.describe('a run with a child RLM and a sub-call', () => {
  const TURN = { prompt_tokens: 1000, completion_tokens: 100 };
  const CHILD = { prompt_tokens: 400, completion_tokens: 40 };
  const SUB = { prompt_tokens: 200, completion_tokens: 20 };
  // The child's query is built at run time, so that only the child's own prompt contains it.
  const CODE = "const c = await rlm_query('CHILD' + '-TASK: count the lines');\nconst s = await llm_query('SUB' + '-TASK: say ok');\nprint(c, s);";
  test.use({
    rules: rules(
      { match: { contains: 'CHILD-TASK' }, reply: { text: 'FINAL(3 lines)', usage: CHILD } },
      { match: { contains: 'SUB-TASK' }, reply: { text: 'ok', usage: SUB } },
      rootTurn(0, { text: repl(CODE), usage: TURN }),
      rootTurn(1, { text: 'FINAL(three lines, ok)', usage: TURN }),
    ),
  });

  test('shows the calls, tokens, depth and cost the run made, as its view does', async ({ page, shot }) => {
    const query = 'Count the lines with a child';
    await startRun(page, { query, pasted: 'one\ntwo\nthree' });
    await expectStatus(page, 'completed');
    // Two root turns, the child's turn, the sub-call; the child and the sub-call use the sub model.
    const calls = 4;
    const tokens = 2 * (TURN.prompt_tokens + TURN.completion_tokens) + CHILD.prompt_tokens + CHILD.completion_tokens + SUB.prompt_tokens + SUB.completion_tokens;
    const cost = 2 * callCost(TURN, PRICES[ROOT_MODEL]) + callCost(CHILD, PRICES[SUB_MODEL]) + callCost(SUB, PRICES[SUB_MODEL]);
    const meter = page.getByRole('region', { name: 'Run meter' });
    await expect(meter).toContainText(`Calls${calls}`);
    await expect(meter).toContainText(`Cost${dollars(cost)}`);

    await openRunsList(page);
    const row = runRow(page, query);
    await expect(cell(row, 'calls')).toHaveText(`${calls}${calls} model calls`);
    await expect(cell(row, 'calls').locator('[aria-hidden="true"]')).toHaveText(String(calls));
    await expect(cell(row, 'tokens').locator('[aria-hidden="true"]')).toHaveText('2.86k');
    await expect(cell(row, 'tokens')).toHaveAttribute('title', `${tokens.toLocaleString('en-US')} tokens (2,600 in, 260 out)`);
    await expect(cell(row, 'depth').locator('[aria-hidden="true"]')).toHaveText('1');
    await expect(cell(row, 'cost').locator('[aria-hidden="true"]')).toHaveText(dollars(cost));
    // A screen reader hears each figure with its name, not a bare number.
    const link = runsList(page).getByRole('link', { name: new RegExp(query) });
    await expect(link).toHaveAccessibleName(new RegExp(`completed.*${calls} model calls.*2,860 tokens.*depth 1.*\\${dollars(cost)}`));
    // The column headers name the new columns.
    for (const name of ['Calls', 'Tokens', 'Depth', 'Cost']) await expect(page.locator('.runs-head-cells')).toContainText(name);
    await shot('runs-list-figures');
  });
});

test.describe('two stopped runs', () => {
  test.use({
    rules: rules(
      // A first call that costs more than the budget allows: $0.00225 against $0.001.
      { match: { contains: 'Spend' }, reply: { text: repl("print('spent')"), usage: { prompt_tokens: 1000, completion_tokens: 100 } } },
      // A call that takes long enough to be stopped by hand.
      { match: { contains: 'Wait' }, reply: { text: 'FINAL(too late)', delayMs: 20_000 } },
    ),
  });

  test('a cost-limit stop and a stop by the user read differently, each with its message', async ({ page, shot }) => {
    await startRun(page, { query: 'Spend past the budget', pasted: 'x', limits: { 'Max cost (USD)': '0.001' } });
    await expectStatus(page, 'stopped');
    await startRun(page, { query: 'Wait to be stopped', pasted: 'x' });
    await expectStatus(page, 'running');
    await page.getByRole('button', { name: 'Stop run' }).click();
    await expectStatus(page, 'stopped');

    await openRunsList(page);
    const byLimit = runRow(page, 'Spend past the budget');
    const byUser = runRow(page, 'Wait to be stopped');
    await expect(cell(byLimit, 'status')).toContainText('stoppedcost limit');
    await expect(cell(byUser, 'status')).toContainText('stoppedby you');
    // The whole message: in the tooltip and in what the row's link says.
    await expect(cell(byLimit, 'status')).toHaveAttribute('title', /^stopped · cost limit: .*limit/);
    await expect(cell(byUser, 'status')).toHaveAttribute('title', 'stopped · by you: stopped by the user');
    await expect(runsList(page).getByRole('link', { name: /Spend past the budget/ })).toHaveAccessibleName(/^stopped · cost limit: /);
    await expect(runsList(page).getByRole('link', { name: /Wait to be stopped/ })).toHaveAccessibleName(/^stopped · by you: stopped by the user/);
    await shot('runs-list-stop-reasons');
  });
});

test.describe('a run that failed before any model answered', () => {
  // 400 is not retried: the run fails on its first call.
  test.use({ rules: rules({ reply: { status: 400, error: 'the request was malformed' } }) });

  test('shows no cost, not $0', async ({ page }) => {
    const query = 'Fail at once';
    await startRun(page, { query, pasted: 'x' });
    await expectStatus(page, 'failed');
    await openRunsList(page);
    const row = runRow(page, query);
    await expect(cell(row, 'status')).toContainText('failed');
    await expect(cell(row, 'status')).toHaveAttribute('title', /the request was malformed/);
    await expect(cell(row, 'calls').locator('[aria-hidden="true"]')).toHaveText('0');
    await expect(cell(row, 'cost').locator('[aria-hidden="true"]')).toHaveText('—');
    await expect(row).not.toContainText('$');
  });
});

test.describe('a run whose root model has no price', () => {
  const UNPRICED = 'house-model-without-price';
  test.use({ rules: rules(rootTurn(0, { text: 'FINAL(done)', usage: { prompt_tokens: 100, completion_tokens: 10 } }, UNPRICED)) });

  for (const width of [1024, 1280]) {
    test(`says "unknown" within its cost column at ${width} px, the whole in its tooltip`, async ({ page, shot }) => {
      await page.setViewportSize({ width, height: 720 });
      const query = `An unpriced run at ${width} px`;
      await startRun(page, { query, pasted: 'x', rootModel: UNPRICED });
      await expectStatus(page, 'completed');
      await openRunsList(page);
      const row = runRow(page, query);
      const cost = cell(row, 'cost');
      await expect(cost.locator('[aria-hidden="true"]')).toHaveText('unknown');
      await expect(cost).toHaveAttribute('title', 'cost unknown (1 unpriced call)');
      // Neither the cost nor any other figure is cut, and the row fits the window.
      for (const name of ['status', 'calls', 'tokens', 'depth', 'cost'] as const) expect(await isClipped(cell(row, name)), `${name} column is cut`).toBe(false);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await expect(row.getByRole('button', { name: /^Delete run/ })).toBeInViewport();
      await shot(`runs-list-${width}`);
    });
  }
});
