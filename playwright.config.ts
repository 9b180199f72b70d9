// End-to-end tests: Debian's Chromium drives browser mode (`rlmscope serve`) with the fake
// model server behind it (e2e/fixtures.ts). Playwright's own browser download is never used.
import { defineConfig } from '@playwright/test';

/** The system Chromium (apt package `chromium`); RLMSCOPE_CHROMIUM points elsewhere. */
const executablePath = process.env.RLMSCOPE_CHROMIUM || '/usr/bin/chromium';

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  globalSetup: './e2e/global-setup.ts',
  // Each test runs Chromium, the server and the fake provider: two at a time suit a 2-core machine.
  workers: 2,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // One reporter that ends with the summary line ("N passed (Xs)"); `npm test` ends with it.
  reporter: 'list',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    viewport: { width: 1280, height: 800 },
    // Artifacts in test-results/: a screenshot at the end of every test, a trace of each failure.
    screenshot: 'on',
    trace: 'retain-on-failure',
  },
});
