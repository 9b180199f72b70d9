import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    // e2e/*.spec.ts are Playwright's (`playwright test`); Vitest cannot run them.
    exclude: [...configDefaults.exclude, 'e2e/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['./vitest.global-setup.ts'],
    // A suite that runs nothing is a failure, not a pass.
    passWithNoTests: false,
  },
});
