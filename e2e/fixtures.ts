// What every e2e test starts from: a fresh RLMSCOPE_HOME, the fake model provider as its own
// process with the test's rules, `rlmscope serve` on a database in that home, and a page already
// opened at the URL the server printed (token included).
//
//   import { expect, rules, test } from './fixtures';
//   test.use({ rules: rules({ match: { turn: 0 }, reply: { text: 'FINAL(42)' } }, …) });
//   test('…', async ({ page, server, shot }) => { … await server.restart(); await page.goto(server.url); … });
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import type { FakeRule } from '../src/main/fakeProvider/rules';
import { CLI, FAKE_PROVIDER, startNode, stop, type Started } from './processes';

export { expect };
export type { FakeRule };

/** The API key the fake provider demands and the server is given. */
export const FAKE_API_KEY = 'e2e-test-key';

export interface FakeProviderProcess {
  /** Its OpenAI-compatible base URL (what OPENAI_BASE_URL is set to). */
  url: string;
}

export interface ServeProcess {
  /** The URL the server printed on its first line: `http://127.0.0.1:PORT/?token=TOKEN`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  /** RLMSCOPE_HOME of this test (a fresh temp folder). */
  readonly home: string;
  /** The database, `<home>/rlmscope.db`, kept across restarts. */
  readonly dbPath: string;
  /**
   * Stops the server (SIGTERM: active runs are recorded as stopped) and starts a new one on
   * the same database and port. The new server has a new token, so the page must be opened at
   * the new `url` (a plain reload is refused): `await page.goto(server.url)`.
   */
  restart(): Promise<void>;
  /** What the server printed on stderr so far. */
  stderr(): string;
}

interface Fixtures {
  /** The fake provider's scripted replies (src/main/fakeProvider/rules.ts); default: none. */
  rules: FakeRule[];
  provider: FakeProviderProcess;
  server: ServeProcess;
  /** Saves a screenshot of the page as a test artifact (test-results/…/NAME.png); returns its path. */
  shot: (name: string) => Promise<string>;
}

/**
 * The `rules` option for `test.use`. A bare array will not do: Playwright reads an array whose
 * second item is an object as a `[value, options]` tuple, so `rules: [a, b]` would set rule `a`
 * alone (and fail validation). This wraps the list the way Playwright expects.
 */
export function rules(...list: FakeRule[]): [FakeRule[], { scope: 'test' }] {
  return [list, { scope: 'test' }];
}

export const test = base.extend<Fixtures>({
  rules: [[], { option: true }],

  provider: async ({ rules }, use, testInfo) => {
    const rulesPath = testInfo.outputPath('fake-rules.json');
    writeFileSync(rulesPath, JSON.stringify(rules, null, 2));
    const started = await startNode(FAKE_PROVIDER, ['--rules', rulesPath, '--api-key', FAKE_API_KEY], {});
    try {
      const { url } = JSON.parse(started.firstLine) as { url: string };
      await use({ url });
    } finally {
      await stop(started.child);
    }
  },

  server: async ({ provider }, use) => {
    const home = mkdtempSync(join(tmpdir(), 'rlmscope-e2e-'));
    const dbPath = join(home, 'rlmscope.db');
    const env = { RLMSCOPE_HOME: home, OPENAI_BASE_URL: provider.url, OPENAI_API_KEY: FAKE_API_KEY };
    let current: Started = await startNode(CLI, ['serve', '--port', '0', '--db', dbPath], env);
    let url = new URL(current.firstLine);
    const fixture: ServeProcess = {
      get url() {
        return url.href;
      },
      get origin() {
        return url.origin;
      },
      get port() {
        return Number(url.port);
      },
      get token() {
        return url.searchParams.get('token') ?? '';
      },
      home,
      dbPath,
      async restart() {
        const code = await stop(current.child);
        if (code !== 0) throw new Error(`the server exited with ${code} when stopped:\n${current.stderr()}`);
        current = await startNode(CLI, ['serve', '--port', String(fixture.port), '--db', dbPath], env);
        url = new URL(current.firstLine);
      },
      stderr: () => current.stderr(),
    };
    try {
      await use(fixture);
    } finally {
      await stop(current.child);
      rmSync(home, { recursive: true, force: true });
    }
  },

  page: async ({ page, server }, use) => {
    await page.goto(server.url);
    await use(page);
    // Closed before the server stops: otherwise the page spends the teardown reconnecting to it.
    await page.close();
  },

  shot: async ({ page }, use, testInfo) => {
    await use(async (name) => {
      const path = testInfo.outputPath(`${name}.png`);
      await page.screenshot({ path, fullPage: true });
      await testInfo.attach(name, { path, contentType: 'image/png' });
      return path;
    });
  },
});
