// Time travel: the "Step" slider shows the run as it stood after each recorded event — nodes not
// yet started hidden, running ones running, the meter's totals as they were — and comes back to
// the run as recorded at its last step. Driven with the keyboard only.
import { expect, rules, test } from './fixtures';
import { expectStatus, nodeDetail, repl, rootTurn, startRun, SUB_MODEL, treeItems, treeRow } from './helpers';

test.use({
  rules: rules(
    rootTurn(0, { text: repl("const parts = await llm_query_batched(['first part', 'second part']);\nprint(parts.join(' | '));") }),
    rootTurn(1, { text: 'FINAL(two parts read)' }),
    { match: { model: SUB_MODEL }, reply: { text: 'read', delayMs: 50 } },
  ),
});

test('the Step slider walks a finished run back and forth with the keyboard', async ({ page, shot }) => {
  await startRun(page, { query: 'Read both parts', pasted: 'one\ntwo' });
  await expectStatus(page, 'completed', 20_000);
  // Root, turn, cell, two sub-calls, final turn: 6 nodes, 12 events (each starts and ends).
  await expect(treeItems(page)).toHaveCount(6);
  const slider = page.getByRole('slider', { name: 'Step' });
  await expect(slider).toHaveAttribute('max', '12');
  await expect(slider).toHaveValue('12');
  const meter = page.getByRole('region', { name: 'Run meter' });
  await expect(meter).toContainText(/Calls\s*4/);

  // Home: before anything happened.
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(slider).toHaveValue('0');
  await expect(treeItems(page)).toHaveCount(0);
  await expect(meter).toContainText(/Calls\s*0/);

  // One step: the root RLM, running; two: its first turn, running too, and the detail says so.
  await page.keyboard.press('ArrowRight');
  await expect(treeItems(page)).toHaveCount(1);
  await expect(treeItems(page).first()).toHaveClass(/tree-row-running/);
  await page.keyboard.press('ArrowRight');
  await expect(treeItems(page)).toHaveCount(2);
  await treeRow(page, 'LLM turn').first().click();
  await expect(nodeDetail(page)).toContainText('running');
  // Its reply had not come yet: it is not shown.
  await expect(nodeDetail(page).getByText('Reply', { exact: true })).toHaveCount(0);
  await shot('time-travel-step-2');

  // On through the cell and the sub-calls: rows only ever appear, calls are counted as they end.
  await slider.focus();
  let seen = 2;
  for (let step = 3; step <= 11; step++) {
    await page.keyboard.press('ArrowRight');
    await expect(slider).toHaveValue(String(step));
    const rows = await treeItems(page).count();
    expect(rows).toBeGreaterThanOrEqual(seen);
    seen = rows;
  }
  await expect(treeItems(page)).toHaveCount(6);
  await expect(page.getByRole('button', { name: 'Back to the end' })).toBeVisible();
  await shot('time-travel-step-11');

  // End: the run as recorded, every row as it finished.
  await page.keyboard.press('End');
  await expect(slider).toHaveValue('12');
  await expect(meter).toContainText(/Calls\s*4/);
  await expect(page.getByRole('button', { name: 'Back to the end' })).toHaveCount(0);
  for (const row of await treeItems(page).all()) await expect(row).not.toHaveClass(/tree-row-running/);
});

test('the Timeline beside the tree draws one bar per row, parallel sub-calls side by side, and zooms', async ({ page, shot }) => {
  await startRun(page, { query: 'Read both parts', pasted: 'one\ntwo' });
  await expectStatus(page, 'completed', 20_000);
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await expect(timeline).toBeVisible();
  const bars = timeline.locator('.timeline-bar');
  await expect(bars).toHaveCount(6);
  // The two sub-calls of one batch ran at the same time: their bars overlap on the time axis.
  const subs = timeline.locator('.timeline-bar-llm-sub');
  const [a, b] = [await subs.nth(0).boundingBox(), await subs.nth(1).boundingBox()];
  expect(a && b).toBeTruthy();
  expect(Math.max(a!.x, b!.x)).toBeLessThan(Math.min(a!.x + a!.width, b!.x + b!.width));
  // The selected row is highlighted in the timeline too; a bar picks its row.
  await timeline.locator('.timeline-row').nth(2).click();
  await expect(timeline.locator('.timeline-row-selected')).toHaveCount(1);
  await expect(nodeDetail(page)).toContainText('Code cell');
  // Zoom in: the axis widens and scrolls sideways.
  const before = (await bars.first().boundingBox())!.width;
  await timeline.getByRole('button', { name: 'Zoom in the timeline' }).click();
  await expect.poll(async () => (await bars.first().boundingBox())!.width).toBeGreaterThan(before * 1.5);
  await shot('timeline-zoomed');
  // Hidden with its toolbar button, shown again.
  await page.getByRole('button', { name: 'Timeline', exact: true }).click();
  await expect(timeline).toHaveCount(0);
  await page.getByRole('button', { name: 'Timeline', exact: true }).click();
  await expect(timeline).toBeVisible();
});
