// Screenshots of every main screen at the smallest supported window (1024×700) and in the dark
// theme, saved as artifacts to be looked at; and the checks a screenshot cannot make by itself:
// no screen scrolls sideways, the run view's panes stay inside the window.
import type { Page } from '@playwright/test';
import { expect, rules, test } from './fixtures';
import { dataTransferOf, expectStatus, nodeDetail, recursionTree, repl, rootTurn, startRun, SUB_MODEL, treeRow } from './helpers';

test.use({
  rules: rules(
    rootTurn(0, {
      text: repl(
        "const sections = context.split('\\n\\n');\nconst verdicts = await llm_query_batched(sections.map((s) => 'Is this section about billing? ' + s));\nprint(verdicts.map((v, i) => i + ': ' + v).join('\\n'));",
        'Let me split the document into sections and ask about each one.',
      ),
      usage: { prompt_tokens: 3200, completion_tokens: 180 },
    }),
    rootTurn(1, { text: 'FINAL(Sections 1 and 3 are about billing; the others are about shipping and returns.)', usage: { prompt_tokens: 3500, completion_tokens: 40 } }),
    { match: { model: SUB_MODEL }, reply: { text: 'Yes: it is about invoices and payment terms.', usage: { prompt_tokens: 420, completion_tokens: 12 } } },
  ),
});

const DOCUMENT = ['Billing: invoices are due in 30 days.', 'Shipping: parcels leave within 2 days.', 'Billing: late payments cost 2% a month.', 'Returns: 14 days, unused items only.'].join('\n\n');
const QUERY = 'Which sections of the terms are about billing, and what do they say about late payments?';

/** No screen may need a horizontal scrollbar. */
async function expectNoSidewaysScroll(page: Page, screen: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, `${screen} scrolls sideways`).toBeLessThanOrEqual(innerWidth);
}

async function runWithCellSelected(page: Page): Promise<void> {
  await startRun(page, { query: QUERY, pasted: DOCUMENT });
  await expectStatus(page, 'completed');
  await treeRow(page, 'cell').click();
  await expect(nodeDetail(page).getByRole('group', { name: 'Code' }).locator('.view-lines')).toContainText('verdicts');
}

test.describe('at 1024×700', () => {
  test.use({ viewport: { width: 1024, height: 700 } });

  test('every main screen fits the window', async ({ page, shot }) => {
    await runWithCellSelected(page);
    await expectNoSidewaysScroll(page, 'the run view');
    // Tree and detail side by side, both inside the window.
    for (const pane of [recursionTree(page), nodeDetail(page)]) {
      const box = await pane.boundingBox();
      expect(box, 'pane laid out').not.toBeNull();
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(1024);
      expect(box?.width ?? 0).toBeGreaterThan(250);
    }
    // A finished run has no controls (controls.spec.ts checks that a live run's fit at 1024 px).
    for (const name of ['Pause run', 'Resume run', 'Step', 'Stop run']) await expect(page.getByRole('button', { name, exact: true })).toHaveCount(0);
    await shot('1024-run-view-cell-selected');

    await page.getByRole('button', { name: 'Runs', exact: true }).click();
    await expect(page.getByRole('list', { name: 'Runs' }).getByRole('link')).toHaveCount(1);
    await expectNoSidewaysScroll(page, 'the runs list');
    await expect(page.getByRole('button', { name: `Delete run ${QUERY}` })).toBeInViewport();
    await shot('1024-runs-list');

    await page.getByRole('button', { name: 'New run', exact: true }).click();
    const dataTransfer = await dataTransferOf(page, [{ name: 'terms-and-conditions-2026-final-v3.txt', content: DOCUMENT, type: 'text/plain' }]);
    await page.getByText('Drop files or folders here').dispatchEvent('drop', { dataTransfer });
    await expect(page.getByRole('list', { name: 'Chosen inputs' })).toContainText('ready');
    await page.getByLabel('Query', { exact: true }).fill(QUERY);
    await expectNoSidewaysScroll(page, 'new run');
    await expect(page.getByRole('button', { name: 'Start run' })).toBeInViewport();
    await shot('1024-new-run-with-file');

    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(page.getByLabel('Base URL')).toBeVisible();
    await expectNoSidewaysScroll(page, 'settings');
    await expect(page.getByRole('button', { name: 'Save settings' })).toBeInViewport();
    await shot('1024-settings');
  });
});

test.describe('in the dark theme', () => {
  test.use({ colorScheme: 'dark' });

  test('the run view follows the OS theme', async ({ page, shot }) => {
    await runWithCellSelected(page);
    // A dark page: the background is darker than the text.
    const [background, text] = await page.evaluate(() => {
      const luminance = (css: string) => {
        const [r = 0, g = 0, b = 0] = (css.match(/[\d.]+/g) ?? []).map(Number);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const style = getComputedStyle(document.body);
      return [luminance(style.backgroundColor), luminance(style.color)];
    });
    expect(background).toBeLessThan(text);
    await shot('dark-run-view-cell-selected');
  });
});
