// A large input is checked and stored before the run's first step, which takes seconds for
// hundreds of megabytes: the run's header says how far it has read (run.inputProgress, the words
// `rlmscope run` prints on stderr) until the first step comes, and then says nothing more.
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { expect, rules, test } from './fixtures';
import { expectStatus, repl, rootTurn, submitRun } from './helpers';

const MB = 1024 * 1024;
const SIZE = 300 * MB;
const COUNT_CODE = "print(context.length);\nFINAL('read ' + context.length + ' characters');";

test.use({ rules: rules(rootTurn(0, { text: repl(COUNT_CODE) }), rootTurn(1, { text: 'FINAL(no answer)' })) });

test('a 300 MB input: the header says how far it is read, then the run goes on', async ({ page, shot }, testInfo) => {
  test.setTimeout(120_000);
  const file = testInfo.outputPath('big.log');
  const fd = openSync(file, 'w');
  const line = Buffer.from('12:00:01 INFO a line of a large log, the same one again and again\n');
  const block = Buffer.alloc(MB - (MB % line.length), line);
  try {
    for (let written = 0; written < SIZE; ) {
      const piece = block.subarray(0, Math.min(block.length, SIZE - written));
      writeSync(fd, piece);
      written += piece.length;
    }
  } finally {
    closeSync(fd);
  }
  try {
    await page.getByRole('button', { name: 'New run', exact: true }).click();
    await page.getByLabel('Add files').setInputFiles(file);
    const inputs = page.getByRole('list', { name: 'Chosen inputs' });
    await expect(inputs).toContainText('ready', { timeout: 60_000 });
    await submitRun(page, { query: 'How long is the log?' });

    const reading = page.getByRole('status', { name: 'Reading the input' });
    await expect(reading).toHaveText(/^Reading big\.log: (checked|stored) [\d.]+ (KB|MB) of 300 MB \(\d+%\)/, { timeout: 30_000 });
    await shot('input-reading');
    await expectStatus(page, 'completed', 60_000);
    await expect(reading).toHaveCount(0);
    await expect(page.getByRole('main').getByText(`read ${SIZE} characters`, { exact: true }).first()).toBeVisible();
  } finally {
    rmSync(file, { force: true });
  }
});
