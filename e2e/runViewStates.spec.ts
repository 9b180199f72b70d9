// The run view at its edges: an id that names no run, a finished run (no controls), one rule for
// every cost shown, and sub-call rows from one template that can be told apart at 1024 px.
import type { Locator, Page } from '@playwright/test';
import { expect, rules, test } from './fixtures';
import { callCost, dollars, expectStatus, PRICES, repl, ROOT_MODEL, rootTurn, startRun, SUB_MODEL, treeRow } from './helpers';

test('an id that names no run says so, and offers the way back to the list', async ({ page, server, shot }) => {
  await page.goto(`${server.url}#/runs/r-no-such-run`);
  await expect(page.getByRole('heading', { level: 1, name: 'Run not found' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('There is no run r-no-such-run');
  // No controls, no tree: nothing of a run that is not there.
  await expect(page.getByRole('tree', { name: 'Recursion tree' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Stop run' })).toHaveCount(0);
  const back = page.getByRole('link', { name: 'Back to runs' });
  // The way back has the focus: Enter takes it.
  await expect(back).toBeFocused();
  await shot('run-not-found');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Runs' })).toBeVisible();
  await expect(page).toHaveURL(/#\/runs$/);
});

test.describe('a run deleted, then opened by its old link', () => {
  test.use({ rules: rules(rootTurn(0, { text: 'FINAL(done)' })) });

  test('reads as not found, not as an error to retry', async ({ page }) => {
    await startRun(page, { query: 'Soon to be deleted', pasted: 'x' });
    await expectStatus(page, 'completed');
    const link = page.url();
    await page.getByRole('button', { name: 'Runs', exact: true }).click();
    await page.getByRole('button', { name: 'Delete run Soon to be deleted' }).click();
    await page.getByRole('dialog', { name: 'Delete this run?' }).getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByRole('list', { name: 'Runs' })).toHaveCount(0);
    await page.goto(link);
    await expect(page.getByRole('heading', { level: 1, name: 'Run not found' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
    await page.getByRole('link', { name: 'Back to runs' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Runs' })).toBeVisible();
  });
});

test.describe('sub-calls from one long template', () => {
  // A prompt template longer than a row: every sub-call's prompt starts with the same 300 characters.
  const TEMPLATE = `${'You are a careful reader of server logs. '.repeat(7)}Summarise the part below, naming every error.`;
  const CHUNKS = ['disk full on node seven', 'timeouts from the cache', 'a clean restart at noon', 'memory climbing slowly'];
  const TURN = { prompt_tokens: 1000, completion_tokens: 200 };
  // The first chunk's call costs below a hundredth of a cent, the others just above it.
  const SMALL = { prompt_tokens: 200, completion_tokens: 20 };
  const LARGER = { prompt_tokens: 320, completion_tokens: 30 };
  const CODE = [
    `const template = ${JSON.stringify(TEMPLATE)};`,
    `const chunks = ${JSON.stringify(CHUNKS)};`,
    "const notes = await llm_query_batched(chunks.map((c, i) => template + '\\n\\nchunk number ' + i + ': ' + c));",
    'print(notes.join(" / "));',
  ].join('\n');
  test.use({
    rules: rules(
      { match: { model: SUB_MODEL, contains: 'chunk number 0' }, reply: { text: 'note', usage: SMALL } },
      { match: { model: SUB_MODEL }, reply: { text: 'note', usage: LARGER } },
      rootTurn(0, { text: repl(CODE), usage: TURN }),
      rootTurn(1, { text: 'FINAL(four parts read)', usage: TURN }),
    ),
  });

  /** The part of a row's label that is on screen (the rest is cut by its ellipsis). */
  const visibleLabel = (row: Locator) =>
    row.locator('.tree-label').evaluate((label) => {
      const text = label.firstChild;
      if (!text || text.nodeType !== Node.TEXT_NODE) return label.textContent ?? '';
      const right = label.getBoundingClientRect().right;
      const range = document.createRange();
      let shown = 0;
      for (let i = 1; i <= (text.textContent ?? '').length; i++) {
        range.setStart(text, i - 1);
        range.setEnd(text, i);
        if (range.getBoundingClientRect().right > right + 0.5) break;
        shown = i;
      }
      return (text.textContent ?? '').slice(0, shown);
    });

  /** Three significant digits below $1, cents above: the one rule for every cost shown. */
  const ONE_RULE = /^(≥ )?\$(0\.0*[1-9]\d{2}|[1-9]\d*\.\d{2})$/;

  async function costTexts(page: Page): Promise<string[]> {
    const rows = await page.locator('.tree-cost').allTextContents();
    const meter = await page.getByRole('region', { name: 'Run meter' }).locator('.meter').filter({ hasText: 'Cost' }).locator('.meter-value').textContent();
    return [...rows.filter((t) => t !== ''), (meter ?? '').trim()];
  }

  test('can be told apart at 1024 px, and every cost follows one rule', async ({ page, shot }) => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await startRun(page, { query: 'Read every part of the log', pasted: 'the log' });
    await expectStatus(page, 'completed');
    // A finished run has no controls.
    await expect(page.getByRole('group', { name: 'Run controls' })).toHaveCount(0);

    const subs = treeRow(page, 'LLM sub');
    await expect(subs).toHaveCount(CHUNKS.length);
    const shown: string[] = [];
    for (let i = 0; i < CHUNKS.length; i++) {
      const visible = await visibleLabel(subs.nth(i));
      // What differs is on screen: the chunk's number and the start of its text.
      expect(visible, `row ${i} shows "${visible}"`).toContain(`number ${i}: ${CHUNKS[i]?.split(' ')[0]}`);
      expect(visible.startsWith('…')).toBe(true);
      shown.push(visible);
      // The whole label is still in the tooltip, from the template's start.
      await expect(subs.nth(i).locator('.tree-label')).toHaveAttribute('title', /^You are a careful reader of server logs\./);
    }
    expect(new Set(shown).size).toBe(CHUNKS.length);
    await shot('run-view-1024');

    // Costs: $0.0000900 beside $0.000140, not $0.000090 beside $0.0001.
    const small = callCost(SMALL, PRICES[SUB_MODEL]);
    const larger = callCost(LARGER, PRICES[SUB_MODEL]);
    await expect(subs.nth(0)).toContainText(dollars(small));
    expect(dollars(small)).toBe('$0.0000900');
    await expect(subs.nth(1)).toContainText(dollars(larger));
    expect(dollars(larger)).toBe('$0.000140');
    const total = 2 * callCost(TURN, PRICES[ROOT_MODEL]) + small + 3 * larger;
    await expect(page.getByRole('region', { name: 'Run meter' })).toContainText(`Cost${dollars(total)}`);
    const texts = await costTexts(page);
    expect(texts.length).toBeGreaterThanOrEqual(8);
    for (const text of texts) expect(text, `cost "${text}"`).toMatch(ONE_RULE);
    // The detail pane and the header say it the same way.
    await treeRow(page, 'cell').click();
    await expect(page.getByRole('region', { name: 'Node detail' })).toContainText(`${dollars(small + 3 * larger)} for 4 calls below`);

    await page.setViewportSize({ width: 1280, height: 800 });
    await expect(subs.first()).toBeVisible();
    await shot('run-view-1280');

    // The runs list, by the same rule.
    await page.getByRole('button', { name: 'Runs', exact: true }).click();
    const cost = page.getByRole('list', { name: 'Runs' }).locator('.runs-cost [aria-hidden="true"]');
    await expect(cost).toHaveText(dollars(total));
    await expect(cost).toHaveText(ONE_RULE);
    await shot('runs-list-1280-costs');
    await page.setViewportSize({ width: 1024, height: 768 });
    await shot('runs-list-1024-costs');
  });
});
