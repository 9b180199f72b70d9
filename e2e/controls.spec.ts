// Run controls on a run that would go on and on: every turn writes another cell that asks a slow
// sub-model. Stop ends it for good (across a reload and a server restart); Pause holds it.
// Each turn's code and output differ: the engine's runaway guard stops a model that repeats itself.
import { expect, rules, test } from './fixtures';
import { detailTitle, expectStatus, nodeCount, nodeDetail, repl, ROOT_MODEL, startRun, SUB_MODEL, treeItems, treeRow } from './helpers';

test.use({
  rules: rules(
    {
      match: { model: ROOT_MODEL },
      reply: Array.from({ length: 30 }, (_, i) => ({ text: repl(`const check${i} = await llm_query('check it once more, time ${i}');\nprint(check${i});`, 'Let me check once more.') })),
    },
    { match: { model: SUB_MODEL }, reply: Array.from({ length: 30 }, (_, i) => ({ text: `still not sure (${i})`, delayMs: 300 })) },
  ),
});

const runaway = { query: 'Keep checking forever', pasted: 'a document' };

test('"Stop run" stops a run-away run, and it stays stopped after a reload and a server restart', async ({ page, server, shot }) => {
  await startRun(page, runaway);
  await expectStatus(page, 'running');
  // It really runs away: a second cell comes after the first.
  await expect.poll(() => treeRow(page, 'cell').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  await expect(page.getByRole('button', { name: 'Resume run' })).toBeDisabled();

  await page.getByRole('button', { name: 'Stop run' }).click();
  await expectStatus(page, 'stopped');
  await expect(page.getByRole('main')).toContainText('stopped by the user');
  // A finished run has nothing to control: the buttons are gone, not just disabled.
  await expect(page.getByRole('group', { name: 'Run controls' })).toHaveCount(0);
  for (const name of ['Pause run', 'Resume run', 'Step', 'Stop run']) await expect(page.getByRole('button', { name, exact: true })).toHaveCount(0);
  // Nothing is left running in the tree.
  await expect(treeRow(page, 'running')).toHaveCount(0);
  const nodes = await nodeCount(page);
  await shot('run-view-stopped');

  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: runaway.query })).toBeVisible();
  await expectStatus(page, 'stopped');
  expect(await nodeCount(page)).toBe(nodes);
  await expect(page.getByRole('button', { name: 'Stop run' })).toHaveCount(0);

  await server.restart();
  await page.goto(server.url);
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  const row = page.getByRole('link', { name: new RegExp(runaway.query) });
  await expect(row).toContainText('stopped');
  await row.click();
  await expectStatus(page, 'stopped');
  await expect(page.getByRole('main')).toContainText('stopped by the user');
  expect(await nodeCount(page)).toBe(nodes);
});

test('"Pause run" holds the run, "Step" lets one step through, "Resume run" lets it go on', async ({ page, shot }) => {
  // The smallest supported window: the four controls of a live run fit in it.
  await page.setViewportSize({ width: 1024, height: 700 });
  await startRun(page, runaway);
  await expectStatus(page, 'running');
  await expect(treeRow(page, 'cell').first()).toBeVisible();

  await page.getByRole('button', { name: 'Pause run' }).click();
  await expectStatus(page, 'paused');
  await expect(page.getByRole('button', { name: 'Pause run' })).toBeDisabled();
  for (const name of ['Resume run', 'Step', 'Stop run']) await expect(page.getByRole('button', { name, exact: true })).toBeEnabled();
  for (const name of ['Pause run', 'Resume run', 'Step', 'Stop run']) await expect(page.getByRole('button', { name, exact: true })).toBeInViewport();
  // What was under way when paused finishes; then nothing runs, and the root waits: it says
  // paused, in its row and in its detail (the root is the node open by default).
  await expect(treeRow(page, 'running')).toHaveCount(0);
  const root = treeItems(page).first();
  await expect(root).toContainText('RLM');
  await expect(root.locator('.tree-status')).toHaveText('‖paused');
  await expect(detailTitle(page)).toContainText('paused');
  await expect(detailTitle(page)).not.toContainText('running');
  await expect(nodeDetail(page)).toContainText('Tookpaused…');
  await shot('run-view-paused-1024');
  const paused = await nodeCount(page);

  // One step, and it is paused again.
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect.poll(() => nodeCount(page)).toBeGreaterThan(paused);
  await expectStatus(page, 'paused');
  await expect(treeRow(page, 'running')).toHaveCount(0);
  await expect(treeRow(page, 'paused')).toHaveCount(1);
  const stepped = await nodeCount(page);

  await page.getByRole('button', { name: 'Resume run' }).click();
  await expectStatus(page, 'running');
  await expect(page.getByRole('button', { name: 'Resume run' })).toBeDisabled();
  await expect(treeItems(page).first().locator('.tree-status')).toHaveText('●running');
  // Running again, it goes on by more than a step.
  await expect.poll(() => nodeCount(page), { timeout: 15_000 }).toBeGreaterThan(stepped + 3);

  // A paused run can be stopped too.
  await page.getByRole('button', { name: 'Pause run' }).click();
  await expectStatus(page, 'paused');
  await page.getByRole('button', { name: 'Stop run' }).click();
  await expectStatus(page, 'stopped');
  await expect(page.getByRole('main')).toContainText('stopped by the user');
});
