// The run view: the recursion tree growing while the run goes, a cell's code in Monaco with its
// output, and what each call cost, rolled up on the rows above it.
import { expect, rules, test } from './fixtures';
import { callCost, detailTitle, dollars, expectStatus, nodeDetail, PRICES, repl, rootTurn, startRun, SUB_MODEL, treeItems, treeRow } from './helpers';

test.describe('live tree', () => {
  const SUBS = 20;
  test.use({
    rules: rules(
      rootTurn(0, { text: repl(`const answers = await llm_query_batched(Array.from({ length: ${SUBS} }, (_, i) => 'summarise part ' + i));\nprint(answers.length);`) }),
      rootTurn(1, { text: `FINAL(${SUBS} parts summarised)` }),
      // Slow sub-calls, two at a time (the run's concurrency): the batch takes about 10 × 250 ms.
      { match: { model: SUB_MODEL }, reply: { text: 'a summary', delayMs: 250 } },
    ),
  });

  test('grows while the run is running, following the newest step', async ({ page }) => {
    // Every size the tree takes while "Run status" says running, recorded in the page on each
    // DOM change (polling from here would sample too seldom on a busy machine).
    await page.evaluate(() => {
      const sizes: number[] = [];
      Object.assign(window, { treeSizesWhileRunning: sizes });
      new MutationObserver(() => {
        const status = document.querySelector('[role="status"][aria-label="Run status"]')?.textContent;
        const tree = document.querySelector('[role="tree"][aria-label="Recursion tree"]');
        if (status !== 'running' || !tree) return;
        const size = tree.querySelectorAll('[role="treeitem"]').length;
        if (sizes.at(-1) !== size) sizes.push(size);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await startRun(page, { query: 'Summarise every part', pasted: 'part one\npart two', limits: { Concurrency: '2' } });
    const items = treeItems(page);

    await expectStatus(page, 'completed', 20_000);
    const sizes = await page.evaluate(() => (window as unknown as { treeSizesWhileRunning: number[] }).treeSizesWhileRunning);
    // It grew in several steps while running, never shrinking.
    expect(sizes.length, `sizes seen while running: ${sizes.join(', ')}`).toBeGreaterThanOrEqual(4);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    expect(sizes[0]).toBeLessThan(3 + SUBS);
    // Root, turn, cell, 20 sub-calls, final turn.
    const total = 4 + SUBS;
    await expect(page.getByText(`${total} nodes`, { exact: true })).toBeVisible();
    await expect(items).toHaveCount(total);
    await expect(treeRow(page, 'LLM sub')).toHaveCount(SUBS);
    await expect(page.getByRole('main')).toContainText(`${SUBS} parts summarised`);
    // Follow mode kept the newest rows in view while they came.
    await expect(treeRow(page, 'summarise part 19')).toBeInViewport();
  });
});

test.describe('a cell', () => {
  const CODE = [
    "const ledgerTotals = context.split('\\n').map((line) => Number(line.split(',')[1]));",
    'const grandTotal = ledgerTotals.reduce((a, b) => a + b, 0);',
    "print('grand total is', grandTotal);",
  ].join('\n');
  test.use({ rules: rules(rootTurn(0, { text: repl(CODE) }), rootTurn(1, { text: 'FINAL(the total is 60)' })) });

  test('selected, shows its code in Monaco and what it printed', async ({ page, shot }) => {
    await startRun(page, { query: 'What is the grand total?', pasted: 'a,10\nb,20\nc,30' });
    await expectStatus(page, 'completed');

    const cell = treeRow(page, 'cell');
    await expect(cell).toHaveCount(1);
    await cell.click();
    await expect(cell).toHaveAttribute('aria-selected', 'true');
    const detail = nodeDetail(page);
    await expect(detailTitle(page)).toContainText('Code cell');
    // Monaco, not the plain-text stand-in, shows the code: its view lines hold the text.
    const code = detail.getByRole('group', { name: 'Code' });
    const monacoLines = code.locator('.view-lines');
    await expect(monacoLines).toBeVisible();
    await expect(monacoLines).toContainText('ledgerTotals');
    await expect(monacoLines).toContainText('grandTotal');
    // Read-only, and says so to assistive technology: typing into it changes nothing.
    await monacoLines.click();
    await expect(code.getByRole('textbox')).toBeFocused();
    await expect(code.getByRole('textbox')).not.toBeEditable();
    await page.keyboard.type('TYPED_BY_TEST');
    await expect(monacoLines).not.toContainText('TYPED_BY_TEST');
    // What it printed, under Output.
    await expect(detail.getByRole('heading', { name: 'Output' })).toBeVisible();
    await expect(detail).toContainText('grand total is 60');
    await shot('run-view-cell-selected');
  });
});

test.describe('cost', () => {
  // A sub model priced in Settings (an override), the root model from the bundled table.
  const PRICED_SUB = 'e2e-priced-sub';
  const SUB_PRICE = { input: 3, output: 15 };
  const SUB_USAGE = { prompt_tokens: 1234, completion_tokens: 567 };
  const TURN_USAGE = { prompt_tokens: 4000, completion_tokens: 200 };
  const UNPRICED_ROOT = 'e2e-unpriced-root';
  const rootRules = (model: string) => [
    rootTurn(0, { text: repl("const a = await llm_query('first half');\nconst b = await llm_query('second half');\nprint(a, b);"), usage: TURN_USAGE }, model),
    rootTurn(1, { text: 'FINAL(both halves read)', usage: TURN_USAGE }, model),
  ];
  test.use({ rules: rules(...rootRules('gpt-5'), ...rootRules(UNPRICED_ROOT), { match: { contains: 'half' }, reply: { text: 'read it', usage: SUB_USAGE } }) });

  test('each call shows its cost, parent rows their subtree\'s, computed from the reported usage', async ({ page, shot }) => {
    // Price the sub model in Settings.
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByRole('button', { name: 'Add price' }).click();
    await page.getByLabel('Model, price row 1').fill(PRICED_SUB);
    await page.getByLabel(`Input price of ${PRICED_SUB}`, { exact: true }).fill(String(SUB_PRICE.input));
    await page.getByLabel(`Output price of ${PRICED_SUB}`, { exact: true }).fill(String(SUB_PRICE.output));
    await page.getByRole('table', { name: 'Price overrides' }).scrollIntoViewIfNeeded();
    await shot('settings-price-override');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();

    await startRun(page, { query: 'Read both halves', pasted: 'first\nsecond', subModel: PRICED_SUB });
    await expectStatus(page, 'completed');

    const sub = callCost(SUB_USAGE, SUB_PRICE);
    const turn = callCost(TURN_USAGE, PRICES['gpt-5']);
    const subRows = treeRow(page, 'LLM sub');
    await expect(subRows).toHaveCount(2);
    for (const row of await subRows.all()) {
      await expect(row).toContainText(dollars(sub));
      await expect(row).toContainText(PRICED_SUB);
      await expect(row).toContainText('1.23k→567');
    }
    await expect(treeRow(page, 'LLM turn').first()).toContainText(dollars(turn));
    // The cell rolls up its two sub-calls; the root everything: two turns and the cell.
    const cell = treeRow(page, 'cell');
    await expect(cell).toContainText(dollars(2 * sub));
    const root = treeRow(page, 'RLM');
    await expect(root).toContainText(dollars(2 * sub + 2 * turn));
    await expect(page.getByRole('region', { name: 'Run meter' })).toContainText(`Cost${dollars(2 * sub + 2 * turn)}`);

    // The detail pane says the same in full.
    await cell.click();
    await expect(nodeDetail(page)).toContainText(`${dollars(2 * sub)} for 2 calls below`);
    await subRows.first().click();
    await expect(nodeDetail(page)).toContainText('1,234 in → 567 out');
    await expect(nodeDetail(page).getByRole('definition').filter({ hasText: /^\$/ })).toHaveText(dollars(sub));
  });

  test('a model without a price shows "unknown", never $0', async ({ page }) => {
    await startRun(page, { query: 'Read both halves, unpriced', pasted: 'first\nsecond', rootModel: UNPRICED_ROOT });
    await expectStatus(page, 'completed');

    const sub = callCost(SUB_USAGE, PRICES[SUB_MODEL]);
    const turns = treeRow(page, 'LLM turn');
    await expect(turns).toHaveCount(2);
    for (const row of await turns.all()) {
      await expect(row).toContainText('unknown');
      await expect(row).not.toContainText('$0');
    }
    // The cell's calls are all priced: its cost is known. The root's is not: at least the priced part.
    await expect(treeRow(page, 'cell')).toContainText(dollars(2 * sub));
    await expect(treeRow(page, 'RLM')).toContainText(`≥ ${dollars(2 * sub)}`);
    const meter = page.getByRole('region', { name: 'Run meter' });
    await expect(meter).toContainText(`≥ ${dollars(2 * sub)}`);
    await expect(meter).toContainText('2 unpriced');

    await turns.first().click();
    await expect(nodeDetail(page)).toContainText('cost unknown');
    await expect(nodeDetail(page)).not.toContainText('$0.0000');
  });
});

test.describe('a tiny cost', () => {
  // 6 prompt and 4 completion tokens of gpt-5-mini: (6 × 0.25 + 4 × 2) / 1e6 = $0.0000095, which
  // `usd` writes with three significant digits, as every cost; the cell above rolls up that one call.
  test.use({
    rules: rules(
      rootTurn(0, { text: repl("const tiny = await llm_query('a tiny question');\nprint(tiny);") }),
      rootTurn(1, { text: 'FINAL(tiny)' }),
      { match: { model: SUB_MODEL }, reply: { text: 'ok', usage: { prompt_tokens: 6, completion_tokens: 4 } } },
    ),
  });

  // The cost column once cut "Σ $0.0000095" to "Σ $0.00000…"; it now holds "Σ $0.00000950".
  test('is shown whole in its row, on the call and rolled up on the cell', async ({ page }) => {
    await startRun(page, { query: 'Ask one tiny question', pasted: 'x' });
    await expectStatus(page, 'completed');
    for (const kind of ['LLM sub', 'cell']) {
      const cost = treeRow(page, kind).getByText('$0.00000950', { exact: true });
      await expect(cost).toBeVisible();
      // Not cut off by the column: the text's full width fits in its box.
      const { scrollWidth, clientWidth } = await cost.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
      expect(scrollWidth, `the cost on the ${kind} row is cut off`).toBeLessThanOrEqual(clientWidth);
    }
  });
});
