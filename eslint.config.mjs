// Lint: typescript-eslint's recommended rules, plus the boundaries between processes
// (DESIGN §2): src/shared imports nothing of Node, Electron or the DOM; only src/main/electron
// may import 'electron'; the renderer talks to nothing but the RlmApi contract, and its features
// do not import the app shell that composes them.
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeModules = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

// What no renderer module may import: Node, Electron, the main process or the preload.
const rendererPaths = ['electron', ...nodeModules];
const rendererPatterns = [{ group: ['node:*', '**/main/**', '**/preload/**'] }];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'native/**', 'node_modules/**', 'bench/results/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', __dirname: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', performance: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', fetch: 'readonly', require: 'readonly', module: 'writable', document: 'readonly', window: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // CommonJS by necessity: the bin stub and the probe forked as a sandbox process.
    files: ['**/*.cjs', 'bin/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['electron', ...nodeModules], patterns: ['node:*', '**/main/**', '**/renderer/**', '**/preload/**'] }],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'window', 'document', 'require', '__dirname'],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/electron/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only src/main/electron/ may import electron: keep the services runnable under plain Node.' }], patterns: ['**/renderer/**', '**/preload/**'] }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { paths: rendererPaths, patterns: rendererPatterns }],
    },
  },
  {
    // The app shell (src/renderer/app/) composes the screens; a screen that imported it back would
    // tie every feature to the shell. What screens share with it (the route, the toasts) lives in
    // src/renderer/state/.
    files: ['src/renderer/**/*.{ts,tsx}'],
    ignores: ['src/renderer/app/**', 'src/renderer/main.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: rendererPaths,
          patterns: [
            ...rendererPatterns,
            { group: ['**/app', '**/app/**'], message: 'Features may not import the app shell (src/renderer/app/); shared state goes in src/renderer/state/.' },
          ],
        },
      ],
    },
  },
);
