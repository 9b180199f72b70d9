// The run header says when a run cannot be replayed exactly (issue 12): a run recorded now says
// nothing, a run recorded before exact replay says so and why, and is still shown whole.
import Database from 'better-sqlite3';
import { expect, rules, test } from './fixtures';
import { expectStatus, rootTurn, startRun } from './helpers';

test.use({ rules: rules(rootTurn(0, { text: 'FINAL(42)' })) });

test('a run recorded before exact replay says it cannot be replayed exactly, and why', async ({ page, server, shot }) => {
  const runId = await startRun(page, { query: 'What is the answer?', pasted: 'a document' });
  await expectStatus(page, 'completed');
  const note = page.getByRole('note', { name: 'Replay' });
  await expect(note).toHaveCount(0);

  const db = new Database(server.dbPath);
  db.prepare('UPDATE runs SET recording = 0 WHERE id = ?').run(runId);
  db.close();
  await page.reload();
  await expectStatus(page, 'completed');
  await expect(note).toHaveText(/^Cannot be replayed exactly — recorded before exact replay: its cells kept neither/);
  await expect(page.getByRole('main')).toContainText('42');
  await shot('run-header-not-replayable');
});
