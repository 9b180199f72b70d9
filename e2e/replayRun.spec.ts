// "Replay run" (issue 12): a finished run replays exactly from its recording; once a cell's
// recorded output is altered in the database, the replay flags that cell in the tree and the
// detail shows the recorded and replayed output side by side.
import Database from 'better-sqlite3';
import { expect, rules, test } from './fixtures';
import { expectStatus, nodeDetail, repl, rootTurn, startRun, SUB_MODEL, treeItems } from './helpers';

test.use({
  rules: rules(
    rootTurn(0, { text: repl('const a = await llm_query("say hi");\nprint(a, Math.random() < 2, typeof Date.now())') }),
    rootTurn(1, { text: repl('print(`second: ${a}`)') }),
    rootTurn(2, { text: 'FINAL(done)' }),
    { match: { model: SUB_MODEL }, reply: { text: 'hi!' } },
  ),
});

test('replays a run exactly, then flags the cell whose recording was altered, expected and actual side by side', async ({ page, server, shot }) => {
  const runId = await startRun(page, { query: 'Replay me', pasted: 'a document' });
  await expectStatus(page, 'completed');
  const outcome = page.getByRole('status', { name: 'Replay' });
  await page.getByRole('button', { name: 'Replay run' }).click();
  await expect(outcome).toHaveText('Replayed exactly: 2 of 2 cells reproduced, no model calls', { timeout: 30_000 });

  const db = new Database(server.dbPath);
  const cell = db.prepare<[string], { id: number }>(`SELECT id FROM nodes WHERE run_id = ? AND kind = 'cell' ORDER BY id DESC LIMIT 1`).get(runId)!.id;
  db.prepare(`UPDATE node_payloads SET body = json_set(body, '$.output', 'second: bye\n') WHERE run_id = ? AND node_id = ?`).run(runId, cell);
  db.close();
  await page.reload();
  await expectStatus(page, 'completed');
  await page.getByRole('button', { name: 'Replay run' }).click();
  await expect(outcome).toHaveText(/^Replay diverged: 1 of 2 cells differ/, { timeout: 30_000 });
  const flagged = treeItems(page).filter({ hasText: 'diverged in replay' });
  await expect(flagged).toHaveCount(1);
  await flagged.click();
  const sides = nodeDetail(page).getByRole('group', { name: 'Replay: expected and actual' });
  await expect(sides).toContainText('Expected (recorded)second: bye');
  await expect(sides).toContainText('Actual (replayed)second: hi!');
  await shot('replay-diverged');
});
