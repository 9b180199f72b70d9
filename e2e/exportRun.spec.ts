// "Export run" in the run view (browser mode): each format of `rlmscope export` as a real browser
// download streamed from the server, checked by what reads it (the CLI re-imports the portable
// file and the reference log; the OTLP JSON holds the run's spans). An imported run offers export
// but ignores the Stop shortcut. And an import from the runs list can be cancelled.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { iteration, metadata } from '../src/main/testing/rlmsLogs';
import { expect, rules, test } from './fixtures';
import { expectStatus, repl, rootTurn, startRun } from './helpers';
import { CLI } from './processes';

const LOG = join(__dirname, '..', 'src', 'main', 'interop', 'rlmsLog', 'fixtures', 'trace-log-example.jsonl');

interface ShownRun {
  run: { runId: string; status: string; answer: string | null };
  nodes: Array<{ id: number; kind: string; parentId: number | null; code?: string; output?: string }>;
}

function cli(args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

function show(runId: string, db: string): ShownRun {
  return JSON.parse(cli(['show', runId, '--json', '--db', db])) as ShownRun;
}

const exportButton = (page: Page) => page.getByRole('button', { name: 'Export run', exact: true });
const exportMenu = (page: Page) => page.getByRole('menu', { name: 'Export run as' });

test.describe('a finished run', () => {
  test.use({
    rules: rules(rootTurn(0, { text: repl('print("two plus two is", 2 + 2)') }), rootTurn(1, { text: 'FINAL(four)' })),
  });

  test('is exported in each format from its view, as a browser download of a file the tools read', async ({ page, server, shot }, testInfo) => {
    const runId = await startRun(page, { query: 'What is two plus two?', pasted: 'some numbers' });
    await expectStatus(page, 'completed');
    const original = show(runId, server.dbPath);

    // The menu, by keyboard: it opens on its first item, arrows move, Escape closes it onto the button.
    await exportButton(page).focus();
    await page.keyboard.press('Enter');
    await expect(exportMenu(page)).toBeVisible();
    await expect(exportButton(page)).toHaveAttribute('aria-expanded', 'true');
    const items = exportMenu(page).getByRole('menuitem');
    await expect(items).toHaveCount(3);
    await expect(items.nth(0)).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(items.nth(1)).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await expect(items.nth(2)).toBeFocused();
    await shot('export-menu-open');
    await page.keyboard.press('Escape');
    await expect(exportMenu(page)).toHaveCount(0);
    await expect(exportButton(page)).toBeFocused();
    await expect(exportButton(page)).toHaveAttribute('aria-expanded', 'false');

    const download = async (item: RegExp, expectedName: string): Promise<string> => {
      await exportButton(page).click();
      const started = page.waitForEvent('download');
      await exportMenu(page).getByRole('menuitem', { name: item }).click();
      const file = await started;
      expect(file.suggestedFilename()).toBe(expectedName);
      const path = testInfo.outputPath(expectedName);
      await file.saveAs(path);
      expect(await file.failure()).toBeNull();
      await expect(page.getByRole('status').filter({ hasText: `Downloading ${expectedName}` })).toBeVisible();
      return path;
    };

    // Portable: the CLI restores it in a fresh database as the same run, node for node.
    const portable = await download(/Portable file/, `${runId}.rlmscope`);
    expect([...readFileSync(portable).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const fresh = testInfo.outputPath('fresh.db');
    const imported = JSON.parse(cli(['import', portable, '--db', fresh, '--json'])) as { runs: Array<{ runId: string }> };
    expect(imported.runs.map((r) => r.runId)).toEqual([runId]);
    expect(show(runId, fresh).nodes).toEqual(original.nodes);

    // OTLP JSON: one span per node, the root an agent span, the cell a tool span.
    const otlp = JSON.parse(readFileSync(await download(/OpenTelemetry/, `${runId}.otlp.json`), 'utf8')) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; parentSpanId?: string; attributes: Array<{ key: string }> }> }> }>;
    };
    const spans = otlp.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(spans).toHaveLength(original.nodes.length);
    expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(['invoke_agent rlm', 'execute_tool repl']));
    expect(spans.filter((s) => !s.parentSpanId)).toHaveLength(1);

    // The reference library's log: the CLI imports it back as one run with the same cell.
    const log = await download(/Reference library log/, `${runId}.jsonl`);
    const back = JSON.parse(cli(['import', log, '--db', testInfo.outputPath('back.db'), '--json'])) as { runs: Array<{ runId: string }> };
    expect(back.runs).toHaveLength(1);
    const backNodes = show(back.runs[0]!.runId, testInfo.outputPath('back.db')).nodes;
    expect(backNodes.filter((n) => n.kind === 'cell')).toHaveLength(original.nodes.filter((n) => n.kind === 'cell').length);
  });

  test('a run deleted meanwhile (from another tab) is one clear line', async ({ page, server }) => {
    const runId = await startRun(page, { query: 'Soon gone', pasted: 'x' });
    await expectStatus(page, 'completed');
    const other = await page.context().newPage();
    await other.goto(`${server.origin}/#/runs`);
    await other.getByRole('button', { name: 'Delete run Soon gone' }).click();
    await other.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(other.getByRole('button', { name: 'Delete run Soon gone' })).toHaveCount(0);
    await other.close();

    await exportButton(page).click();
    await exportMenu(page).getByRole('menuitem', { name: /OpenTelemetry/ }).click();
    await expect(page.getByRole('alert').filter({ hasText: `Not exported: no run ${runId}: it may have been deleted` })).toBeVisible();
  });
});

test.describe('a run still going', () => {
  test.use({ rules: rules(rootTurn(0, { text: repl('print(1)') }), rootTurn(1, { text: 'FINAL(late)', delayMs: 60_000 })) });

  test('is exported as recorded so far, and the menu and the toast say so', async ({ page, shot }, testInfo) => {
    const runId = await startRun(page, { query: 'Slow to answer', pasted: 'x' });
    await expect(page.getByRole('status', { name: 'Run status' })).toHaveText('running');
    await expect(page.getByRole('treeitem').filter({ hasText: 'cell' })).toHaveCount(1);
    await exportButton(page).click();
    await expect(exportMenu(page)).toHaveAccessibleDescription('The run is still going: the file holds what is recorded so far.');
    await shot('export-menu-running');
    const started = page.waitForEvent('download');
    await exportMenu(page).getByRole('menuitem', { name: /OpenTelemetry/ }).click();
    const file = await started;
    const path = testInfo.outputPath(file.suggestedFilename());
    await file.saveAs(path);
    await expect(page.getByRole('status').filter({ hasText: `Downloading ${runId}.otlp.json — The run is still going` })).toBeVisible();
    const spans = (JSON.parse(readFileSync(path, 'utf8')) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }> }).resourceSpans[0]!.scopeSpans[0]!.spans;
    // The root, its first turn and cell, and the second turn under way.
    expect(spans.length).toBeGreaterThanOrEqual(3);
    await page.getByRole('button', { name: 'Stop run' }).click();
    await expectStatus(page, 'stopped');
  });
});

test('an imported run offers export, and the Stop shortcut does nothing on it', async ({ page, shot }) => {
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  await page.getByLabel('Import runs').setInputFiles(LOG);
  await expect(page.getByRole('status').filter({ hasText: '6 runs imported from trace-log-example.jsonl' })).toBeVisible();
  await page.getByRole('list', { name: 'Runs' }).getByRole('link').first().click();
  await expect(page.getByText(/Imported from trace-log-example\.jsonl — never re-executed/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Stop run' })).toHaveCount(0);
  await expect(exportButton(page)).toBeVisible();

  // Ctrl+. on a native run that has ended says the service's refusal; on an imported one, nothing.
  await page.locator('body').press('Control+.');
  await page.waitForTimeout(500);
  await expect(page.locator('.toast')).toHaveCount(0);

  await exportButton(page).click();
  await expect(exportMenu(page)).toBeVisible();
  await shot('export-menu-imported');
  // A click elsewhere closes it.
  await page.getByRole('heading', { level: 1 }).click();
  await expect(exportMenu(page)).toHaveCount(0);
});

test('an import under way is cancelled with Cancel, and imports nothing', async ({ page, shot }, testInfo) => {
  // ~120 MB: its upload takes seconds on this machine, time enough to press Cancel.
  const big = testInfo.outputPath('big.jsonl');
  const response = `${'x'.repeat(2 * 1024 * 1024)}\n\`\`\`repl\nprint('hi')\n\`\`\``;
  const lines = [JSON.stringify(metadata())];
  for (let n = 1; n <= 60; n++) lines.push(JSON.stringify(iteration(n, { response })));
  writeFileSync(big, `${lines.join('\n')}\n`);

  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  await page.getByLabel('Import runs').setInputFiles(big);
  const cancel = page.getByRole('button', { name: 'Cancel import', exact: true });
  await expect(cancel).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: /Importing big\.jsonl… \d+%/ })).toBeVisible();
  await shot('import-cancel');
  await cancel.click();
  await expect(page.getByRole('status').filter({ hasText: 'Import cancelled' })).toBeVisible();
  await expect(cancel).toHaveCount(0);
  await expect(page.getByText('No runs yet', { exact: false })).toBeVisible();
  // The Import runs button works again at once.
  await page.getByLabel('Import runs').setInputFiles(LOG);
  await expect(page.getByRole('status').filter({ hasText: '6 runs imported from trace-log-example.jsonl' })).toBeVisible();
});
