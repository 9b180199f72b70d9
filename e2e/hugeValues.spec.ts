// Issue 9, "huge values": an answer too long to show is shown as a preview with its size and a
// download of the whole value (read through the contract page by page). Here the answer is
// 1,500,000 characters, made by a real cell: half a million more than the page shows.
import { readFileSync } from 'node:fs';
import { expect, rules, test } from './fixtures';
import { expectStatus, repl, rootTurn, startRun } from './helpers';

const CHARS = 1_500_000;

test.use({ rules: rules(rootTurn(0, { text: repl(`FINAL('a'.repeat(${CHARS - 1}) + 'Z')`) })) });

test('an answer too long to show offers its size and a download of the whole of it', async ({ page, shot }) => {
  await startRun(page, { query: 'Write a very long answer', pasted: 'x' });
  await expectStatus(page, 'completed', 30_000);
  const cut = page.getByText('Showing the first 1,000,000 of 1,500,000 characters (1.5 MB).');
  await expect(cut).toBeVisible();
  await shot('answer-too-long-to-show');

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download the whole answer (1.5 MB)' }).click();
  const download = await downloading;
  const text = readFileSync(await download.path(), 'utf8');
  expect(text.length).toBe(CHARS);
  expect(text.endsWith('aaaZ')).toBe(true);

  // The runs list carries a preview, not the answer.
  await page.reload();
  await expect(cut).toBeVisible();
});
