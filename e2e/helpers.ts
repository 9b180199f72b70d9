// What the e2e specs share: how a scripted model writes code, and the few steps every spec takes
// through the UI (start a run, read its status, find rows of the tree), all by accessible names.
import type { JSHandle, Locator, Page } from '@playwright/test';
import { expect, type FakeRule } from './fixtures';

/** The models a run uses unless told otherwise (the server's defaults; both in resources/prices.json). */
export const ROOT_MODEL = 'gpt-5';
export const SUB_MODEL = 'gpt-5-mini';

/** Bundled prices of the default models, USD per million tokens (resources/prices.json). */
export const PRICES = {
  [ROOT_MODEL]: { input: 1.25, output: 10 },
  [SUB_MODEL]: { input: 0.25, output: 2 },
} as const;

/** Code in a ```repl block, as a model writes it (src/main/testing/serviceHarness.ts). */
export function repl(code: string, prose = 'Let me run this.'): string {
  return `${prose}\n\`\`\`repl\n${code}\n\`\`\``;
}

/** A rule for the root model's conversation at one turn (0 = its first reply). */
export function rootTurn(turn: number, reply: FakeRule['reply'], model: string = ROOT_MODEL): FakeRule {
  return { match: { model, turn }, reply };
}

/** USD of one call, as src/main/model/prices.ts computes it (no cached tokens). */
export function callCost(usage: { prompt_tokens: number; completion_tokens: number }, price: { input: number; output: number }): number {
  return (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1_000_000;
}

/**
 * Dollars as the UI writes them (src/shared/format.ts `usd`): three significant digits below $1,
 * cents from $1. Computed here rather than imported, so a change of format fails a test.
 */
export function dollars(value: number): string {
  if (!(value > 1e-6)) throw new Error(`dollars(): ${value} is outside what these tests format`);
  return value >= 1 ? `$${value.toFixed(2)}` : `$${value.toPrecision(3)}`;
}

export const runStatus = (page: Page): Locator => page.getByRole('status', { name: 'Run status' });
export const recursionTree = (page: Page): Locator => page.getByRole('tree', { name: 'Recursion tree' });
export const treeItems = (page: Page): Locator => recursionTree(page).getByRole('treeitem');
export const nodeDetail = (page: Page): Locator => page.getByRole('region', { name: 'Node detail' });
/**
 * The detail pane's title (kind and status of the node). The first level-2 heading: markdown in
 * the messages shown below it can hold level-2 headings of its own.
 */
export const detailTitle = (page: Page): Locator => nodeDetail(page).getByRole('heading', { level: 2 }).first();

/** The tree rows whose text contains `text` (a row's text: kind, label, model, status, tokens, cost, time). */
export function treeRow(page: Page, text: string | RegExp): Locator {
  return treeItems(page).filter({ hasText: text });
}

/** The number of nodes of the run, from the tree's toolbar ("24 nodes"): the tree itself is virtualised. */
export async function nodeCount(page: Page): Promise<number> {
  const text = await page.getByText(/^[\d,]+ nodes?$/).textContent();
  return Number((text ?? '').replace(/[^\d]/g, ''));
}

/** The row the tree's keyboard is on: the element its aria-activedescendant names. */
export async function activeRow(page: Page): Promise<Locator> {
  const id = await recursionTree(page).getAttribute('aria-activedescendant');
  expect(id, 'the tree names its active row with aria-activedescendant').toBeTruthy();
  return page.locator(`[id="${id}"]`);
}

export interface RunForm {
  query: string;
  pasted?: string;
  rootModel?: string;
  subModel?: string;
  /** Limit fields of New run by label ("Concurrency", "Max iterations", …). */
  limits?: Record<string, string>;
}

/** Fills New run (already open) and starts it; resolves with the run's id once its view shows. */
export async function submitRun(page: Page, form: RunForm): Promise<string> {
  await page.getByLabel('Query', { exact: true }).fill(form.query);
  if (form.pasted !== undefined) await page.getByLabel('Paste text').fill(form.pasted);
  if (form.rootModel !== undefined) await page.getByLabel('Root model').fill(form.rootModel);
  if (form.subModel !== undefined) await page.getByLabel('Sub model').fill(form.subModel);
  for (const [label, value] of Object.entries(form.limits ?? {})) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/[^/]+$/);
  await expect(page.getByRole('heading', { level: 1, name: form.query })).toBeVisible();
  return decodeURIComponent(new URL(page.url()).hash.replace(/^#\/runs\//, ''));
}

/** Opens New run, fills it and starts the run. */
export async function startRun(page: Page, form: RunForm): Promise<string> {
  await page.getByRole('button', { name: 'New run', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New run' })).toBeVisible();
  return submitRun(page, form);
}

/** Waits until "Run status" says `word` (runs are quick; a slow one gets the longer timeout). */
export async function expectStatus(page: Page, word: string, timeout?: number): Promise<void> {
  await expect(runStatus(page)).toHaveText(word, timeout === undefined ? {} : { timeout });
}

export interface DroppedFile {
  name: string;
  /** Text, or bytes. */
  content: string | number[];
  type?: string;
}

/** A DataTransfer built in the page, as a drag from the desktop would bring it. */
export function dataTransferOf(page: Page, files: DroppedFile[]): Promise<JSHandle<DataTransfer>> {
  return page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const body = typeof f.content === 'string' ? f.content : new Uint8Array(f.content);
      dt.items.add(new File([body], f.name, { type: f.type ?? '' }));
    }
    return dt;
  }, files);
}

/** Opens Settings and waits for its form. */
export async function openSettings(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByLabel('Base URL')).toBeVisible();
}

/** Saves Settings and waits for the "Saved" note. */
export async function saveSettings(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
}
