// "Compare" from the runs list: two runs ticked with the keyboard, compared side by side, the
// first divergence (the reply of turn 2) marked, scrolled to and shown with both values.
import { block, iteration, jsonl, metadata } from '../src/main/testing/rlmsLogs';
import { expect, test } from './fixtures';

/** A three-turn log of the reference library; `second` is turn 2's reply, `timestamp` when it started (the list's order). */
function log(second: string, timestamp: string): Buffer {
  return Buffer.from(
    jsonl([
      metadata({ timestamp }),
      iteration(1),
      iteration(2, { response: `${second}\n\`\`\`repl\nprint('hi')\n\`\`\``, code_blocks: [block()] }),
      iteration(3, { response: 'FINAL(done)', code_blocks: [], final_answer: 'done' }),
    ]),
  );
}

test('two runs ticked on the runs list are compared, their first divergence marked and shown side by side', async ({ page, shot }) => {
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  await page.getByLabel('Import runs').setInputFiles({ name: 'first.jsonl', mimeType: 'application/jsonl', buffer: log('Let me count the words.', '2026-11-25T09:00:00.000000') });
  await expect(page.getByRole('status').filter({ hasText: 'imported from first.jsonl' })).toBeVisible();
  await page.getByLabel('Import runs').setInputFiles({ name: 'second.jsonl', mimeType: 'application/jsonl', buffer: log('Let me count the lines instead.', '2026-11-25T10:00:00.000000') });
  await expect(page.getByRole('status').filter({ hasText: 'imported from second.jsonl' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Runs' }).getByRole('link')).toHaveCount(2);

  const compare = page.getByRole('button', { name: 'Compare', exact: true });
  await expect(compare).toBeDisabled();
  // Ticked with the keyboard: Space on each box. Newest first, so the first file's run is the second row.
  const boxes = page.getByRole('checkbox', { name: /^Select run .* to compare$/ });
  await boxes.nth(1).focus();
  await page.keyboard.press('Space');
  await boxes.nth(0).focus();
  await page.keyboard.press('Space');
  await expect(boxes.nth(0)).toBeChecked();
  await expect(compare).toBeEnabled();
  await shot('compare-select');
  await compare.click();

  const region = page.getByRole('region', { name: 'Run comparison' });
  await expect(region).toBeVisible();
  await expect(region.getByRole('status')).toContainText('First divergence: turn 2 — reply differs');
  await expect(region.getByRole('status')).toContainText('reply differs');
  // Deltas: the same calls, a known (zero) change in calls.
  await expect(region.getByRole('definition').nth(3)).toHaveText('±0');

  // The first divergence is the chosen step, marked in the list, its two replies side by side.
  const steps = region.getByRole('list', { name: 'Aligned steps' });
  const current = steps.locator('button[aria-current="true"]');
  await expect(current).toHaveAccessibleName(/differs, first divergence$/);
  const detail = region.getByRole('region', { name: 'Step comparison' });
  await expect(detail.getByRole('heading', { level: 2 })).toContainText('First divergence: reply');
  await expect(detail.getByRole('group', { name: 'A reply' })).toContainText('Let me count the words.');
  await expect(detail.getByRole('group', { name: 'B reply' })).toContainText('Let me count the lines instead.');
  await expect(detail.getByRole('group', { name: 'B reply' }).locator('.compare-line.is-changed')).toHaveText(['Let me count the lines instead.\n']);
  await shot('compare-runs');

  // Down moves to the next step: the cell after the reply, the same in both runs.
  await current.focus();
  await page.keyboard.press('ArrowDown');
  await expect(detail.getByRole('heading', { level: 2 })).toContainText('Cell 2');
  await expect(detail.getByText('differs')).toHaveCount(0);
});

test('a reply holding bidirectional controls reads as written in the comparison too: the controls drawn by name', async ({ page }) => {
  // From a hostile file: an override (U+202E) makes "sdrow" read "words" where it acts.
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  await page.getByLabel('Import runs').setInputFiles({ name: 'first.jsonl', mimeType: 'application/jsonl', buffer: log('Let me count the words.', '2026-11-25T09:00:00.000000') });
  await expect(page.getByRole('status').filter({ hasText: 'imported from first.jsonl' })).toBeVisible();
  await page.getByLabel('Import runs').setInputFiles({ name: 'second.jsonl', mimeType: 'application/jsonl', buffer: log('Let me count the \u202Esdrow\u202C.', '2026-11-25T10:00:00.000000') });
  await expect(page.getByRole('status').filter({ hasText: 'imported from second.jsonl' })).toBeVisible();
  const boxes = page.getByRole('checkbox', { name: /^Select run .* to compare$/ });
  await expect(page.getByRole('list', { name: 'Runs' }).getByRole('link')).toHaveCount(2);
  await boxes.nth(1).focus();
  await page.keyboard.press('Space');
  await boxes.nth(0).focus();
  await page.keyboard.press('Space');
  await expect(boxes.nth(0)).toBeChecked();
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  const region = page.getByRole('region', { name: 'Run comparison' });
  const detail = region.getByRole('region', { name: 'Step comparison' });
  // Whichever side the hostile run is on.
  const b = detail.getByRole('group', { name: /^[AB] reply$/ }).filter({ hasText: 'sdrow' });
  await expect(b.locator('.bidi-control[data-name="RLO"]')).toHaveCount(1);
  await expect(b.locator('.bidi-control[data-name="PDF"]')).toHaveCount(1);
  expect(await b.locator('.compare-line').first().evaluate((el) => el.textContent)).toBe('Let me count the \u202Esdrow\u202C.\n');
  await expect(region.getByRole('list', { name: 'Aligned steps' }).locator('.compare-label .bidi-control[data-name="RLO"]').first()).toBeVisible();
});
