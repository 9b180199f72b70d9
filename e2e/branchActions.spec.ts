// Acting on one branch of a live run (issue 13), in browser mode: the root starts two child RLMs;
// "Note to this RLM" on child B reaches its next turn, "Stop this RLM" on child A (waiting on a
// reply that never comes) ends A alone, and the root goes on to an answer that says A was stopped.
import { expect, rules, test } from './fixtures';
import { detailTitle, expectStatus, nodeDetail, repl, ROOT_MODEL, startRun, SUB_MODEL, treeItems, treeRow } from './helpers';

const NOTE = 'Look only at the first line, please.';

test.use({
  rules: rules(
    // Child B's second turn, with the note as its last message: slow enough that B still runs
    // while A is stopped and a late note is typed, on a loaded machine too.
    { match: { model: SUB_MODEL, contains: 'Note from the user' }, reply: { text: 'FINAL(B read the note)', delayMs: 8000 } },
    // Child A waits on a reply that never comes: only the stop ends it.
    { match: { model: SUB_MODEL, contains: 'child A task' }, reply: { hang: true } },
    // Child B's first turn takes a while: long enough to send it a note.
    { match: { model: SUB_MODEL, contains: 'child B task', turn: 0 }, reply: { text: repl('print("b looked")'), delayMs: 6000 } },
    { match: { model: SUB_MODEL }, reply: { text: 'FINAL(B had no note)' } },
    {
      match: { model: ROOT_MODEL, turn: 0 },
      reply: { text: repl('const [a, b] = await Promise.all([rlm_query("child A task", "text a"), rlm_query("child B task", "text b")]);\nFINAL(a + " | " + b)') },
    },
    { match: { model: ROOT_MODEL }, reply: { text: 'FINAL(root gave up)' } },
  ),
});

test('"Note to this RLM" reaches child B at its next turn; "Stop this RLM" stops child A while the run goes on', async ({ page, shot }) => {
  await page.setViewportSize({ width: 1280, height: 860 });
  await startRun(page, { query: 'Two children', pasted: 'a document' });
  await expectStatus(page, 'running');
  // The RLM rows, not the root's cell whose code names them.
  const rowA = treeRow(page, 'child A task').filter({ hasNotText: 'rlm_query' });
  const rowB = treeRow(page, 'child B task').filter({ hasNotText: 'rlm_query' });
  await expect(rowA).toHaveCount(1);
  await expect(rowB).toHaveCount(1);

  // The root can only be stopped with the whole run: it offers a note, not a stop.
  await treeItems(page).first().click();
  await expect(nodeDetail(page).getByRole('textbox', { name: 'Note to this RLM' })).toBeVisible();
  await expect(nodeDetail(page).getByRole('button', { name: 'Stop this RLM' })).toHaveCount(0);

  // A note to B: Ctrl+Enter sends it; the box clears and says when it is read.
  await rowB.click();
  await expect(detailTitle(page)).toContainText('running');
  const box = nodeDetail(page).getByRole('textbox', { name: 'Note to this RLM' });
  await box.fill(NOTE);
  await box.press('Control+Enter');
  await expect(nodeDetail(page).getByRole('status', { name: 'Note result' })).toHaveText('Sent: delivered at its next turn.');
  await expect(box).toHaveValue('');
  await shot('branch-note-sent');

  // Stop A: asked once, in one line, then stopped alone.
  await rowA.click();
  await nodeDetail(page).getByRole('button', { name: 'Stop this RLM' }).click();
  await expect(nodeDetail(page)).toContainText('Stop it and everything under it? The run goes on.');
  await shot('branch-stop-confirm');
  await nodeDetail(page).getByRole('button', { name: 'Stop it' }).click();
  await expect(nodeDetail(page).getByRole('status', { name: 'Stop result' })).toContainText('Stopped, with everything under it;');
  await expect(rowA).toContainText('stopped');
  await expect(detailTitle(page)).toContainText('stopped');
  await expect(nodeDetail(page)).toContainText('stopped by the user');
  // Its controls are gone with it: nothing left to act on.
  await expect(nodeDetail(page).getByRole('textbox', { name: 'Note to this RLM' })).toHaveCount(0);
  await shot('branch-stopped');

  // A note being written when the run ends is kept; sending it then says why it is not sent.
  await rowB.click();
  const late = nodeDetail(page).getByRole('textbox', { name: 'Note to this RLM' });
  await late.fill('a late note');

  // The run went on: B read the note, and the root answered with what A's rlm_query returned.
  await expectStatus(page, 'completed', 30_000);
  await expect(late).toHaveValue('a late note');
  await late.press('Control+Enter');
  await expect(nodeDetail(page).getByRole('alert', { name: 'Note result' })).toHaveText(/^Not sent: run .* is completed, not running: there is no RLM to send a note to$/);
  await expect(late).toHaveValue('a late note');
  await shot('branch-note-refused');
  await expect(page.getByRole('main')).toContainText('Error: the user stopped this child RLM (node');
  await expect(page.getByRole('main')).toContainText('B read the note');
  await rowB.click();
  await expect(nodeDetail(page)).toContainText("a note from the user was delivered at turn 2 (in that turn's prompt)");
  // A run steered by hand says it cannot be replayed exactly.
  await expect(page.getByRole('note', { name: 'Replay' })).toContainText('the user stopped RLM node');
  await shot('branch-run-completed');
});
