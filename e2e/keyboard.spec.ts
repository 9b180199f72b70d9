// The recursion tree by keyboard alone (WAI-ARIA tree view): the tree is one tab stop whose
// aria-activedescendant names the keyboard's row; arrows, Home and End move it, Left and Right
// fold and unfold, Enter opens the row in the detail pane (aria-selected).
import type { Page } from '@playwright/test';
import { expect, rules, test } from './fixtures';
import { activeRow, detailTitle, expectStatus, nodeDetail, recursionTree, repl, rootTurn, startRun, SUB_MODEL, treeItems } from './helpers';

test.use({
  rules: rules(
    rootTurn(0, { text: repl("const notes = await llm_query_batched(['note on alpha', 'note on beta', 'note on gamma']);\nprint(notes.join(' | '));", 'Reading the three parts.') }),
    rootTurn(1, { text: 'FINAL(three notes taken)' }),
    { match: { model: SUB_MODEL }, reply: { text: 'noted' } },
  ),
});

/** Waits until the keyboard's row is at `level` and its text contains `text`. */
async function expectActive(page: Page, level: number, text: string): Promise<void> {
  await expect
    .poll(async () => {
      const row = await activeRow(page);
      return { level: await row.getAttribute('aria-level'), text: (await row.textContent()) ?? '' };
    })
    .toMatchObject({ level: String(level), text: expect.stringContaining(text) });
}

async function press(page: Page, key: string): Promise<void> {
  await page.keyboard.press(key);
}

test('arrows, Home, End, Left, Right and Enter drive the tree; the detail follows Enter', async ({ page }) => {
  await startRun(page, { query: 'Take three notes', pasted: 'alpha beta gamma' });
  await expectStatus(page, 'completed');
  const tree = recursionTree(page);
  const items = treeItems(page);
  // Root, turn, cell, three sub-calls, final turn: all levels and expansion states in view.
  await expect(items).toHaveCount(7);
  const levels = await items.evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-level')));
  expect(levels).toEqual(['1', '2', '2', '3', '3', '3', '2']);
  await expect(items.nth(0)).toHaveAttribute('aria-expanded', 'true');
  await expect(items.nth(2)).toHaveAttribute('aria-expanded', 'true');
  await expect(items.nth(1)).not.toHaveAttribute('aria-expanded', /.*/);
  // The root is open in the detail pane when the run opens.
  await expect(items.nth(0)).toHaveAttribute('aria-selected', 'true');

  // Into the tree with Tab, from the control just before it.
  await page.getByRole('button', { name: 'Collapse all' }).focus();
  await press(page, 'Tab');
  await expect(tree).toBeFocused();
  await expectActive(page, 1, 'Take three notes');

  await press(page, 'ArrowDown');
  await expectActive(page, 2, 'LLM turn');
  // Moving does not open: the root stays selected until Enter.
  await expect(items.nth(0)).toHaveAttribute('aria-selected', 'true');
  await expect(items.nth(1)).toHaveAttribute('aria-selected', 'false');

  await press(page, 'End');
  await expectActive(page, 2, 'FINAL(three notes taken)');
  await press(page, 'Home');
  await expectActive(page, 1, 'RLM');

  // Down twice to the cell; Left folds it, Right unfolds it, Right again enters its first child.
  await press(page, 'ArrowDown');
  await press(page, 'ArrowDown');
  await expectActive(page, 2, 'cell');
  await press(page, 'ArrowLeft');
  await expect(items.nth(2)).toHaveAttribute('aria-expanded', 'false');
  await expect(items).toHaveCount(4);
  await expectActive(page, 2, 'cell');
  await press(page, 'ArrowRight');
  await expect(items.nth(2)).toHaveAttribute('aria-expanded', 'true');
  await expect(items).toHaveCount(7);
  await press(page, 'ArrowRight');
  await expectActive(page, 3, 'note on alpha');
  await press(page, 'ArrowDown');
  await expectActive(page, 3, 'note on beta');
  // Left on a leaf goes to its parent; Up from there to the turn before it.
  await press(page, 'ArrowLeft');
  await expectActive(page, 2, 'cell');
  await press(page, 'ArrowUp');
  await expectActive(page, 2, 'Reading the three parts.');
  await press(page, 'ArrowDown');
  await expectActive(page, 2, 'cell');

  // Enter opens the cell: selected, and the detail shows its code.
  await press(page, 'Enter');
  await expect(items.nth(2)).toHaveAttribute('aria-selected', 'true');
  await expect(items.nth(0)).toHaveAttribute('aria-selected', 'false');
  await expect(detailTitle(page)).toContainText('Code cell');
  await expect(nodeDetail(page)).toContainText('note on alpha');
  await expect(nodeDetail(page)).toContainText('noted | noted | noted');

  // Down to a sub-call and Enter: the detail follows, showing its prompt and reply.
  await press(page, 'ArrowDown');
  await press(page, 'ArrowDown');
  await press(page, 'Enter');
  await expect(items.nth(4)).toHaveAttribute('aria-selected', 'true');
  await expect(detailTitle(page)).toContainText('Sub-call');
  await expect(nodeDetail(page)).toContainText('note on beta');
  // Focus never left the tree.
  await expect(tree).toBeFocused();

  // Up to the turn and Space opens it as Enter does.
  await press(page, 'Home');
  await press(page, 'ArrowDown');
  await press(page, ' ');
  await expect(items.nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(detailTitle(page)).toContainText('Model turn');
});
