// One set of settings (issue 8, §4): what is saved in the page is what `rlmscope run` uses on the
// same data folder — the provider, the key, the models and the default limits — and the run
// says so when it starts, without the key.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { expect, FAKE_API_KEY, rules, test } from './fixtures';
import { openSettings, repl, saveSettings } from './helpers';
import { CLI, ROOT } from './processes';

const PAGE_ROOT = 'page-root-model';
const PAGE_SUB = 'page-sub-model';

test.use({
  rules: rules(
    { match: { model: PAGE_SUB }, reply: { text: 'the sub model saved in the page' } },
    // Only the saved root model answers, and only after asking the saved sub model.
    { match: { model: PAGE_ROOT }, reply: { text: repl('FINAL("root asked: " + await llm_query("who are you?"))') } },
    { reply: { text: 'FINAL(a model that was not saved)' } },
  ),
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `rlmscope ARGS` with no provider variables in its environment: only the saved settings can help. */
function rlmscope(args: string[]): Promise<Result> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

test('settings saved in the page are what `rlmscope run` uses on the same data folder', async ({ page, provider, server }, testInfo) => {
  // The same server under another name: a base URL the environment of `serve` does not hold.
  const savedUrl = provider.url.replace('127.0.0.1', 'localhost');
  await openSettings(page);
  await page.getByLabel('Base URL').fill(savedUrl);
  await page.getByLabel('API key').fill(FAKE_API_KEY);
  await page.getByLabel('Root model').fill(PAGE_ROOT);
  await page.getByLabel('Sub model').fill(PAGE_SUB);
  await page.getByLabel('Max iterations', { exact: true }).fill('3');
  await page.getByLabel('Concurrency', { exact: true }).fill('5');
  await saveSettings(page);

  const input = testInfo.outputPath('notes.txt');
  writeFileSync(input, 'some notes\n');
  const run = await rlmscope(['run', '--json', '--query', 'Who answers?', '--file', input, '--db', server.dbPath]);
  expect(run.code, run.stderr).toBe(0);
  const summary = JSON.parse(run.stdout) as { runId: string; answer: string };
  // The fake provider refuses any other key (401): an answer means the saved key was sent.
  expect(summary.answer).toBe('root asked: the sub model saved in the page');
  expect(run.stderr).toContain(`provider ${savedUrl} (saved settings); API key: from saved settings (secrets.json)`);
  expect(run.stderr).toContain(`models: ${PAGE_ROOT} root (saved settings), ${PAGE_SUB} sub (saved settings)`);
  expect(run.stderr).not.toContain(FAKE_API_KEY);

  // The run was made with the saved provider and default limits, and the page lists it too.
  const shown = await rlmscope(['show', summary.runId, '--json', '--db', server.dbPath]);
  const { run: detail } = JSON.parse(shown.stdout) as { run: { baseUrl: string; rootModel: string; subModel: string; limits: Record<string, unknown> } };
  expect(detail).toMatchObject({ baseUrl: savedUrl, rootModel: PAGE_ROOT, subModel: PAGE_SUB, limits: { maxIterations: 3, concurrency: 5 } });
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  await expect(page.getByText('Who answers?')).toBeVisible();
});
