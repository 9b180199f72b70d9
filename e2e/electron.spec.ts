// The desktop app itself, through Playwright's Electron driver: the built app (out/main/electron.js)
// starts, shows its window from app://rlmscope, and runs one query against the fake provider, the
// sandbox running as a utility process. It needs the Electron binary, which `npm install` skips
// under ELECTRON_SKIP_BINARY_DOWNLOAD=1; without it the suite is skipped and says why.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { _electron as electron, type ElectronApplication } from '@playwright/test';
import { expect, FAKE_API_KEY, test } from './fixtures';
import { ROOT } from './processes';

const MAIN_SCRIPT = join(ROOT, 'out', 'main', 'electron.js');

/**
 * Why the Electron binary cannot be launched, or null when it can. The same lookup as the
 * `electron` package's index.js (which Playwright requires for the executable), without its throw.
 */
function missingElectronBinary(): string | null {
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return 'the electron package is not installed';
  }
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return `${pathFile} does not exist (npm install ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1?)`;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const executable = join(process.env.ELECTRON_OVERRIDE_DIST_PATH || join(packageDir, 'dist'), relative);
  return existsSync(executable) ? null : `${executable} does not exist`;
}

const missing = missingElectronBinary();

// The root model looks at the input once, then answers.
test.use({
  rules: [
    { match: { turn: 0 }, reply: { text: 'Let me look.\n```repl\nprint(context.length)\n```' } },
    { reply: { text: 'The text is short.\nFINAL(11 characters)' } },
  ],
});

test.describe('desktop app (Electron)', () => {
  test.beforeEach(() => {
    if (!missing) return;
    // Printed as well as recorded: the list reporter shows a test's output, not its skip reason.
    const reason = `Electron binary not installed: ${missing}`;
    console.log(`electron.spec.ts skipped: ${reason}`);
    test.skip(true, reason);
  });

  test('opens its window from the app scheme and completes a run of pasted text', async ({ provider }, testInfo) => {
    expect(existsSync(MAIN_SCRIPT), `${MAIN_SCRIPT} is missing: run npm run build`).toBe(true);
    const home = mkdtempSync(join(tmpdir(), 'rlmscope-electron-e2e-'));
    let app: ElectronApplication | null = null;
    try {
      app = await electron.launch({
        // Chromium refuses to run its sandbox as root (containers, CI) without --no-sandbox.
        args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), MAIN_SCRIPT],
        cwd: ROOT,
        env: {
          ...process.env,
          // Its own data folder: its own database, settings, window state and single-instance lock.
          RLMSCOPE_HOME: home,
          OPENAI_BASE_URL: provider.url,
          OPENAI_API_KEY: FAKE_API_KEY,
          // The built page, never a dev server someone left running.
          ELECTRON_RENDERER_URL: '',
        },
      });
      const window = await app.firstWindow();

      await test.step('the window opens with the app, served from app://rlmscope', async () => {
        await expect(window).toHaveTitle('RLMScope');
        await expect(window.getByRole('button', { name: 'New run' })).toBeVisible();
        expect(window.url()).toMatch(/^app:\/\/rlmscope\//);
        // The page has the RlmApi and nothing of Node.
        expect(await window.evaluate(() => typeof (window as unknown as { rlm?: { call?: unknown } }).rlm?.call)).toBe('function');
        expect(await window.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
        expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      });

      await test.step('a run of pasted text completes', async () => {
        await window.getByRole('button', { name: 'New run' }).click();
        await window.getByLabel('Query').fill('How long is the text?');
        await window.getByLabel('Paste text').fill('hello world');
        await window.getByRole('button', { name: 'Start run' }).click();
        await expect(window.getByLabel('Run status')).toContainText('completed', { timeout: 30_000 });
      });

      const screenshot = testInfo.outputPath('electron-run.png');
      await window.screenshot({ path: screenshot });
      await testInfo.attach('electron-run', { path: screenshot, contentType: 'image/png' });
    } finally {
      // Closing quits the app the way a user does: runs stopped and recorded, database closed.
      await app?.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
