// What the model saw, character for character: prompts, REPL feedback and replies are shown raw
// (a markdown view of them turned `__init__.py` into a bold "init" and `---` into a rule), a
// reply can be switched to Rendered and stays so, long values say their real length, and the
// Input view opens a multi-MB document by pages and steps through regex matches.
import type { Locator, Page } from '@playwright/test';
import { expect, rules, test } from './fixtures';
import { expectStatus, nodeDetail, repl, rootTurn, startRun, treeRow } from './helpers';

/** The exact text of an element (toHaveText would fold its whitespace). */
const exactText = (locator: Locator) => locator.evaluate((el) => el.textContent ?? '');
const section = (page: Page, title: string) => nodeDetail(page).locator('section.detail-section').filter({ has: page.getByRole('heading', { level: 3, name: title, exact: true }) });

const PRINTED = '__init__.py\n---\n*x* and _y_\n  indented  two spaces';
const REPLY = repl(`print(${JSON.stringify(PRINTED)});\nprint('a'.repeat(5000));`, 'Looking at __future__.py first.\n\n---\nThen *x* and _y_,\nline two.');
const QUERY = 'Which module has __init__.py?';

test.describe('the raw view', () => {
  test.use({ rules: rules(rootTurn(0, { text: REPLY }), rootTurn(1, { text: 'FINAL(done)' })) });

  test('prompts, REPL feedback and replies show every character, and only a reply can be rendered', async ({ page, shot }) => {
    await startRun(page, { query: QUERY, pasted: 'context: __init__.py\n---\n_y_' });
    await expectStatus(page, 'completed', 20_000);

    // The root RLM: its query and the start of its context, raw.
    await treeRow(page, 'RLM').first().click();
    expect(await exactText(section(page, 'Query').locator('pre'))).toBe(QUERY);
    expect(await exactText(section(page, 'Context').locator('pre'))).toBe('context: __init__.py\n---\n_y_');

    // The first turn: the opening prompt as sent, and exactly the reply the model wrote, fences included.
    await treeRow(page, 'LLM turn').first().click();
    const opening = await exactText(section(page, 'Messages sent').locator('.message-user pre'));
    expect(opening).toContain(QUERY);
    expect(opening).toContain('context: __init__.py\n---\n_y_');
    const reply = section(page, 'Reply');
    expect(await exactText(reply.locator('pre'))).toBe(REPLY);
    await expect(reply.locator('code.raw-code')).toContainText('print(');
    await expect(nodeDetail(page).locator('strong, em, hr, h4, h5, h6')).toHaveCount(0);
    await expect(section(page, 'Messages sent').getByRole('button', { name: 'Rendered' })).toHaveCount(0);
    await reply.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot('raw-reply');

    // Rendered, by keyboard: prose becomes markdown, the code stays exact.
    const toggle = reply.getByRole('button', { name: 'Rendered' });
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await expect(reply.locator('em', { hasText: /^x$/ })).toBeVisible();
    await expect(reply.locator('hr')).toHaveCount(1);
    await expect(reply.locator('code.raw-code')).toContainText(`print(${JSON.stringify(PRINTED)});`);
    await reply.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot('rendered-reply');

    // Remembered: after a reload the reply is still rendered.
    await page.reload();
    await expectStatus(page, 'completed');
    await treeRow(page, 'LLM turn').first().click();
    await expect(section(page, 'Reply').getByRole('button', { name: 'Rendered' })).toHaveAttribute('aria-pressed', 'true');
    await section(page, 'Reply').getByRole('button', { name: 'Rendered' }).press('Space');
    await expect(section(page, 'Reply').getByRole('button', { name: 'Rendered' })).toHaveAttribute('aria-pressed', 'false');
    expect(await exactText(section(page, 'Reply').locator('pre'))).toBe(REPLY);
    await page.emulateMedia({ colorScheme: 'dark' });
    await section(page, 'Reply').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot('raw-reply-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // The cell's output: raw, never rendered; "Show all" says the real length and shows all of it.
    await treeRow(page, 'cell').first().click();
    const output = section(page, 'Output');
    await expect(output.getByRole('button', { name: 'Rendered' })).toHaveCount(0);
    expect(await exactText(output.locator('pre'))).toContain(PRINTED);
    const showAll = output.getByRole('button', { name: /^Show all \(/ });
    const label = (await showAll.textContent()) ?? '';
    const length = Number(/\(([\d,]+) characters\)/.exec(label)?.[1]?.replace(/,/g, ''));
    expect(length).toBeGreaterThan(5000);
    await showAll.click();
    expect((await exactText(output.locator('pre'))).length).toBe(length);

    // The second turn was sent the REPL feedback: there, raw, with its newlines and spaces.
    await treeRow(page, 'LLM turn').nth(1).click();
    const sent = section(page, 'Messages sent');
    expect(await exactText(sent.locator('.message-user pre').first())).toContain(PRINTED);
    await expect(sent.getByRole('button', { name: 'Rendered' })).toHaveCount(0);
    await expect(nodeDetail(page).locator('strong, em, hr')).toHaveCount(0);
  });
});

/** About 8.9 MB of numbered lines (more than one 8 MiB chunk of the store), with three marked errors, the last in the second chunk. */
function bigDocument(): { text: string; errors: string[] } {
  const lines: string[] = [];
  const errors = ['ERROR code=101', 'ERROR code=20202', 'ERROR code=3'];
  const at = [10, 60_000, 149_000];
  for (let i = 0; i < 150_000; i++) {
    const marked = at.indexOf(i);
    lines.push(`${String(i).padStart(7, '0')} the quick brown fox ${marked >= 0 ? errors[marked] : 'jumps over the dog'} __init__.py`);
  }
  return { text: `${lines.join('\n')}\n`, errors };
}

test.describe('the Input view', () => {
  test.use({ rules: rules(rootTurn(0, { text: 'FINAL(read it)' })) });

  test('opens a multi-MB input by pages and steps through regex matches', async ({ page, shot }) => {
    const { text, errors } = bigDocument();
    expect(text.length).toBeGreaterThan(8 * 1024 * 1024);
    await page.getByRole('button', { name: 'New run', exact: true }).click();
    await page.getByLabel('Add files').setInputFiles({ name: 'big.log', mimeType: 'text/plain', buffer: Buffer.from(text) });
    await page.getByLabel('Query', { exact: true }).fill('Find the errors');
    await page.getByRole('button', { name: 'Start run' }).click();
    await expectStatus(page, 'completed', 30_000);
    await treeRow(page, 'RLM').first().click();

    // The context preview says the document's real length, and Show all opens it whole.
    const context = section(page, 'Context');
    const total = text.length.toLocaleString('en-US');
    await context.getByRole('button', { name: `Show all (${total} characters)` }).click();
    const dialog = page.getByRole('dialog', { name: 'Input' });
    await expect(dialog).toBeVisible();
    const body = dialog.getByLabel('Text of big.log');
    await expect(dialog.getByText(`Bytes 1–65,536 of ${total}`)).toBeVisible();
    expect(text.startsWith(await exactText(body))).toBe(true);

    await dialog.getByRole('button', { name: 'Next page' }).click();
    await expect(dialog.getByText(`Bytes 65,537–131,072 of ${total}`)).toBeVisible();
    expect(await exactText(body)).toBe(text.slice(65_536, 131_072));

    // Regex search: three matches, Enter and Shift+Enter step between them and the page follows.
    const search = dialog.getByRole('searchbox', { name: 'Search the input' });
    await dialog.getByRole('button', { name: 'Regex' }).click();
    await search.fill('error code=\\d+');
    const status = dialog.getByRole('status', { name: 'Search result' });
    await expect(status).toHaveText('1 of 3 matches');
    await expect(body.locator('mark.current')).toHaveText(errors[0]!);
    await search.press('Enter');
    await expect(status).toHaveText('2 of 3 matches');
    await expect(body.locator('mark.current')).toHaveText(errors[1]!);
    await expect(body.locator('mark.current')).toBeInViewport();
    const second = text.indexOf(errors[1]!);
    const pageStart = second - (second % 65_536);
    await expect(dialog.getByText(new RegExp(`^Bytes ${(pageStart + 1).toLocaleString('en-US')}–`))).toBeVisible();
    await shot('input-view');
    await search.press('Enter');
    await expect(body.locator('mark.current')).toHaveText(errors[2]!);
    await search.press('Shift+Enter');
    await search.press('Shift+Enter');
    await expect(status).toHaveText('1 of 3 matches');
    await expect(body.locator('mark.current')).toHaveText(errors[0]!);

    // Case matters when asked; a bad regex is said plainly.
    await dialog.getByRole('button', { name: 'Match case' }).click();
    await expect(status).toHaveText('No matches');
    await search.fill('(unclosed');
    await expect(status).toContainText('not a valid regular expression');

    // Escape in the search field clears it (the browser's own); from the text it closes the view.
    await body.focus();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    // Focus is back where the view was opened from.
    await expect(context.getByRole('button', { name: `Show all (${total} characters)` })).toBeFocused();

    // Opened from its own button by keyboard, closed with Close.
    const open = context.getByRole('button', { name: /^Open the input \(1 document, / });
    await open.focus();
    await page.keyboard.press('Enter');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByText(`Bytes 1–65,536 of ${total}`)).toBeVisible();
    await dialog.getByRole('button', { name: 'Close the input view' }).click();
    await expect(dialog).toBeHidden();
    await expect(open).toBeFocused();
  });
});

test.describe('a value too long to draw at once', () => {
  test.use({ rules: rules(rootTurn(0, { text: repl(`print('0123456789'.repeat(45000));`) }), rootTurn(1, { text: 'FINAL(printed)' })) });

  test('"Show all" gives its real length and shows all of it, part by part', async ({ page }) => {
    await startRun(page, { query: 'Print a lot', pasted: 'x', limits: { 'Output chars per turn': '1000000' } });
    await expectStatus(page, 'completed', 20_000);
    await treeRow(page, 'cell').first().click();
    const output = section(page, 'Output');
    const showAll = output.getByRole('button', { name: /^Show all \(/ });
    const length = Number(/\(([\d,]+) characters\)/.exec((await showAll.textContent()) ?? '')?.[1]?.replace(/,/g, ''));
    expect(length).toBeGreaterThanOrEqual(450_000);
    await showAll.click();
    const parts = output.getByRole('group', { name: 'Pages of this text' });
    const pre = output.locator('pre');
    let seen = '';
    for (let part = 0; part * 200_000 < length; part++) {
      const first = part * 200_000 + 1;
      await expect(parts).toContainText(`Characters ${first.toLocaleString('en-US')}–${Math.min(length, first + 199_999).toLocaleString('en-US')} of ${length.toLocaleString('en-US')}`);
      seen += await exactText(pre);
      if ((part + 1) * 200_000 < length) await parts.getByRole('button', { name: 'Next part' }).click();
    }
    await expect(parts.getByRole('button', { name: 'Next part' })).toBeDisabled();
    expect(seen.length).toBe(length);
    expect(seen.startsWith('0123456789'.repeat(45_000))).toBe(true);
  });
});

test.describe('bidirectional controls in model text', () => {
  // "Trojan Source": an override (U+202E) makes "cba" display as "abc". The page keeps the
  // character (a copy is exact) but draws it as a badge that reorders nothing.
  const CODE = "const role = 'user'; // \u202Ecba\u202C\nprint(role)";
  test.use({ rules: rules(rootTurn(0, { text: repl(CODE, 'Checking \u202Ecba\u202C now.') }), rootTurn(1, { text: 'FINAL(done)' })) });

  test('are shown by name in the tree and the reply, kept in the text, and reorder nothing', async ({ page, shot }) => {
    await startRun(page, { query: 'Who?', pasted: 'x' });
    await expectStatus(page, 'completed', 20_000);
    const cell = treeRow(page, 'const role').first();
    await expect(cell.locator('.bidi-control[data-name="RLO"]')).toHaveCount(1);
    await expect(cell.locator('.bidi-control[data-name="PDF"]')).toHaveCount(1);
    expect(await exactText(cell.locator('.tree-label'))).toBe("const role = 'user'; // \u202Ecba\u202C");

    await treeRow(page, 'LLM turn').first().click();
    const reply = section(page, 'Reply');
    expect(await exactText(reply.locator('pre'))).toBe(repl(CODE, 'Checking \u202Ecba\u202C now.'));
    await expect(reply.locator('.bidi-control[data-name="RLO"]')).toHaveCount(2);
    // Where each letter of "cba" is drawn, in the prose and in the code: left to right, as written.
    const order = await reply.locator('pre').evaluate((pre) => {
      const xs: number[][] = [];
      const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        const at = text.indexOf('cba');
        if (at < 0) continue;
        xs.push([0, 1, 2].map((i) => {
          const range = document.createRange();
          range.setStart(node as Text, at + i);
          range.setEnd(node as Text, at + i + 1);
          return range.getBoundingClientRect().left;
        }));
      }
      return xs;
    });
    expect(order).toHaveLength(2);
    for (const [c, b, a] of order as [number, number, number][]) {
      expect(c).toBeLessThan(b);
      expect(b).toBeLessThan(a);
    }
    await reply.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot('bidi-controls');
  });

  test('are drawn by name in Rendered mode too, and reorder nothing there', async ({ page }) => {
    await startRun(page, { query: 'Who?', pasted: 'x' });
    await expectStatus(page, 'completed', 20_000);
    await treeRow(page, 'LLM turn').first().click();
    const reply = section(page, 'Reply');
    await reply.getByRole('button', { name: 'Rendered' }).click();
    const prose = reply.locator('.markdown').first();
    await expect(prose.locator('.bidi-control[data-name="RLO"]')).toHaveCount(1);
    await expect(prose.locator('.bidi-control[data-name="PDF"]')).toHaveCount(1);
    expect(await exactText(prose)).toContain('Checking \u202Ecba\u202C now.');
    const xs = await prose.evaluate((el) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = (node.textContent ?? '').indexOf('cba');
        if (at < 0) continue;
        return [0, 1, 2].map((i) => {
          const range = document.createRange();
          range.setStart(node as Text, at + i);
          range.setEnd(node as Text, at + i + 1);
          return range.getBoundingClientRect().left;
        });
      }
      return [];
    });
    expect(xs).toHaveLength(3);
    expect(xs[0]).toBeLessThan(xs[1] as number);
    expect(xs[1]).toBeLessThan(xs[2] as number);
  });
});

test.describe('bidirectional controls outside the detail pane', () => {
  // The answer, the query (typed, or from an imported file), the runs list and every tooltip
  // show model text too; a tooltip is drawn by the system and cannot hold a styled span.
  const ANSWER = 'Pay \u202E01$\u202C now';
  const FENCED = '```repl \u202Eevil\nprint(1)\n```\nok';
  test.use({ rules: rules(rootTurn(0, { text: FENCED }), rootTurn(1, { text: `FINAL(${ANSWER})` })) });

  test('the answer, the query and the runs list draw them by name, and no tooltip holds one', async ({ page, shot }) => {
    const query = 'Who \u2067is\u2069 it \u202Eyxz';
    await page.getByRole('button', { name: 'New run', exact: true }).click();
    await page.getByLabel('Query', { exact: true }).fill(query);
    await page.getByLabel('Paste text').fill('x');
    await page.getByRole('button', { name: 'Start run' }).click();
    await expect(page).toHaveURL(/#\/runs\/[^/]+$/);
    await expectStatus(page, 'completed', 20_000);

    const heading = page.locator('h1.run-query');
    expect(await exactText(heading)).toBe(query);
    await expect(heading.locator('.bidi-control')).toHaveCount(3);
    await expect(heading).toHaveAttribute('title', 'Who [RLI]is[PDI] it [RLO]yxz');
    const answer = page.locator('.run-answer');
    await expect(answer.locator('.bidi-control[data-name="RLO"]')).toHaveCount(1);
    expect(await exactText(answer.locator('.text-plain'))).toBe(ANSWER);

    const titles = await page.locator('[title]').evaluateAll((els) => els.map((el) => el.getAttribute('title') ?? ''));
    expect(titles.filter((t) => /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(t) && !t.startsWith('U+'))).toEqual([]);

    await treeRow(page, 'LLM turn').first().click();
    await expect(section(page, 'Reply').locator('.raw-fence .bidi-control[data-name="RLO"]')).toHaveCount(1);
    await shot('bidi-answer');

    await page.goto(page.url().replace(/#.*$/, '#/runs'));
    const row = page.locator('.runs-query').first();
    await expect(row.locator('.bidi-control')).toHaveCount(3);
    await expect(row).toHaveAttribute('title', 'Who [RLI]is[PDI] it [RLO]yxz');
    await shot('bidi-runs');
  });
});

test.describe('bidirectional controls in an input document', () => {
  test.use({ rules: rules(rootTurn(0, { text: 'FINAL(read it)' })) });

  test('are drawn by name in the Input view, its name included, as in the context preview', async ({ page }) => {
    // A file named to look like a picture ("…gpj.exe" drawn as "…exe.jpg").
    const name = 'photo\u202Egpj.exe';
    const text = 'if (isAdmin) { \u202E } \u2066 if (ok) \u2069 return;';
    await page.getByRole('button', { name: 'New run', exact: true }).click();
    await page.getByLabel('Add files').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });
    await expect(page.locator('.input-name .bidi-control[data-name="RLO"]')).toHaveCount(1);
    await expect(page.locator('.input-name')).toHaveAttribute('title', 'photo[RLO]gpj.exe');
    await page.getByLabel('Query', { exact: true }).fill('Read it');
    await page.getByRole('button', { name: 'Start run' }).click();
    await expectStatus(page, 'completed', 20_000);
    await treeRow(page, 'RLM').first().click();
    const context = section(page, 'Context');
    await expect(context.locator('.bidi-control')).toHaveCount(3);
    await context.getByRole('button', { name: /^Open the input/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Input' });
    const body = dialog.locator('pre.input-text');
    expect(await exactText(body)).toBe(text);
    await expect(body.locator('.bidi-control')).toHaveCount(3);
    await expect(dialog.locator('.input-doc-name .bidi-control[data-name="RLO"]')).toHaveCount(1);
  });
});

test.describe('a reply of bidirectional controls without end', () => {
  // One isolating span per control: 100,000 of them froze the page for minutes on "Show all".
  const MANY = 'a\u202E'.repeat(100_000);
  const CODE = 'x\u202E;'.repeat(3000);
  test.use({ rules: rules(rootTurn(0, { text: MANY }), rootTurn(1, { text: repl(CODE) }), rootTurn(2, { text: 'FINAL(x)' })) });

  test('draws the first thousand by name and the rest as U+FFFD, at once', async ({ page }) => {
    await startRun(page, { query: 'Who?', pasted: 'x' });
    await expectStatus(page, 'completed', 30_000);
    await treeRow(page, 'LLM turn').first().click();
    const reply = section(page, 'Reply');
    await reply.getByRole('button', { name: /^Show all \(/ }).click();
    const rest = reply.locator('.bidi-replaced');
    await expect(rest).toHaveCount(1);
    await expect(reply.locator('.bidi-control')).toHaveCount(1000);
    const shown = await exactText(reply.locator('pre'));
    // The first page of the value (RawText pages it past 200,000 characters).
    expect(shown).toBe(`${'a\u202E'.repeat(1000)}${'a\ufffd'.repeat(99_000)}`);

    await reply.getByRole('button', { name: 'Rendered' }).click();
    await expect(reply.locator('.markdown .bidi-control')).toHaveCount(1000);

    // Code too, whose tokens would each draw their own thousand.
    await treeRow(page, 'LLM turn').nth(1).click();
    const code = section(page, 'Reply').locator('code.raw-code');
    await section(page, 'Reply').getByRole('button', { name: /^Show all \(/ }).click();
    await expect(code.locator('.bidi-control')).toHaveCount(1000);
    await expect(code.locator('.bidi-replaced')).toHaveCount(1);
  });
});
