// Lint: typescript-eslint's recommended rules, plus the boundaries between processes
// (DESIGN §2): src/shared imports nothing of Node, Electron or the DOM; only src/main/electron
// may import 'electron'; the renderer talks to nothing but the RlmApi contract, and its features
// do not import the app shell that composes them; the sandbox process's code
// (src/main/sandbox/child) and its parent's (everything else) stay apart.
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeModules = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

// SECURITY: src/main/sandbox/child/ runs INSIDE the sandbox process, beside model-written code,
// so it imports only what is listed here: its own folder, the sandbox protocol, the pure shared
// modules it needs (clockRecord and sandboxRandom: pure, dependency-free; domain/node and
// textEncoding for types only), and the Node modules the harness
// and the context loader use. Nothing of the host (which holds the API key, the database, the
// processes) and nothing else of src/main: whatever the child imports is bundled into the
// process that model code may break out into.
const sharedForTheChild = ['sandboxProtocol', 'sandboxProtocolSchemas', 'clockRecord', 'sandboxRandom', 'domain/node', 'textEncoding'];
const childMayImport = [
  String.raw`\./(?!\.)[^/]+`,
  String.raw`\.\./\.\./\.\./shared/(${sharedForTheChild.join('|')})`,
  'node:(vm|util|fs|string_decoder)',
];
// Written from src/shared (./x) and from src/shared/domain (../x, ./node). Type imports are free:
// they are erased from the bundle.
const onlyWhatTheChildsSharedModulesMayImport = {
  regex: `^(?!(\\./(${sharedForTheChild.join('|')})|\\.\\./(${sharedForTheChild.join('|')})|\\./node|zod)$)`,
  caseSensitive: true,
  allowTypeImports: true,
  message: 'The sandbox process bundles this module (src/main/sandbox/child imports it): it may import values only from the other shared modules listed in eslint.config.mjs.',
};
const onlyWhatTheChildMayImport = {
  regex: `^(?!(${childMayImport.join('|')})$)`,
  caseSensitive: true,
  message: 'Code in src/main/sandbox/child/ runs inside the sandbox process: it may import only its own folder, the sandbox protocol and the modules listed in eslint.config.mjs.',
};
// The other way round: the host never imports the child's code; it starts the built script by
// its path (sandbox/host/harnessPath.ts; the build entry is in electron.vite.config.ts).
const notTheChild = (regex) => ({
  regex,
  message: 'src/main/sandbox/child/ is the sandbox process\'s code: the host launches it by path (harnessPath.ts), never imports it.',
});
const childFromOutside = notTheChild('(^|/)sandbox/child(/|$)');
const childFromInsideSandbox = notTheChild('(^|/)child(/|$)');
const mainImports = (childPattern) => ({
  paths: [{ name: 'electron', message: 'Only src/main/electron/ may import electron: keep the services runnable under plain Node.' }],
  patterns: [{ group: ['**/renderer/**', '**/preload/**'] }, childPattern],
});

// What no renderer module may import: Node, Electron, the main process or the preload; plus, for
// some of them, the groups below.
function rendererImports(...groups) {
  return ['error', { paths: ['electron', ...nodeModules], patterns: [{ group: ['node:*', '**/main/**', '**/preload/**'] }, ...groups] }];
}
// The app shell (src/renderer/app/) composes the screens; a screen that imported it back would tie
// every feature to the shell. What screens share with it (the route, the toasts) is in state/.
const noAppShell = { group: ['**/app', '**/app/**'], message: 'Features may not import the app shell (src/renderer/app/); shared state goes in src/renderer/state/.' };
// Test helpers are not shipped: only tests import src/renderer/testing/.
const noTestHelpers = { group: ['**/testing', '**/testing/**'], message: 'Only tests import src/renderer/testing/.' };

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
    rules: { 'no-restricted-imports': ['error', mainImports(childFromOutside)] },
  },
  {
    files: ['src/main/electron/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [childFromOutside] }] },
  },
  {
    // The host's side of the sandbox and the tests of the whole boundary.
    files: ['src/main/sandbox/**/*.ts'],
    ignores: ['src/main/sandbox/child/**'],
    rules: { 'no-restricted-imports': ['error', mainImports(childFromInsideSandbox)] },
  },
  {
    // The child's own tests run in the test runner, not in the sandbox: they keep the rules above.
    files: ['src/main/sandbox/child/**/*.{ts,js}'],
    ignores: ['src/main/sandbox/child/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [onlyWhatTheChildMayImport] }],
      // The same list cannot be got round by loading a module at run time.
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression', message: 'No dynamic import() in the sandbox process: import statically what eslint.config.mjs allows.' },
        { selector: "CallExpression[callee.name='require']", message: 'No require() in the sandbox process: import statically what eslint.config.mjs allows.' },
        // import.meta.glob('../host/*.ts', { eager: true }) is bundled by vite as imports would be.
        { selector: "MetaProperty[meta.name='import']", message: 'No import.meta in the sandbox process: vite bundles what import.meta.glob matches, past the list in eslint.config.mjs.' },
      ],
      // Nor by another name for require (`const r = require`, `module.require`, `require.call`) or
      // a module Node hands out without one.
      'no-restricted-globals': ['error', ...['require', 'module'].map((name) => ({ name, message: `No ${name} in the sandbox process: import statically what eslint.config.mjs allows.` }))],
      'no-restricted-properties': [
        'error',
        ...['getBuiltinModule', 'binding', '_linkedBinding', 'dlopen', 'mainModule'].map((property) => ({
          object: 'process',
          property,
          message: 'Not in the sandbox process: it loads a module past the list in eslint.config.mjs.',
        })),
      ],
      'no-eval': 'error',
    },
  },
  {
    // What the child may import from src/shared is bundled into the sandbox process with all it
    // imports in turn, which the rules for src/shared alone would let be any package: these
    // modules import, for their values, only one another (and zod, for the protocol's schemas).
    files: sharedForTheChild.map((name) => `src/shared/${name}.ts`),
    // On top of src/shared's own rule (another rule, so both hold).
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [onlyWhatTheChildsSharedModulesMayImport] }] },
  },
  // The renderer's boundaries. Flat config keeps one value per rule, so each group of files below
  // states the whole list of what it may not import; a later group wins for the files it matches.
  { files: ['src/renderer/**/*.{ts,tsx}'], rules: { 'no-restricted-imports': rendererImports(noTestHelpers) } },
  {
    // Features (every folder but the shell) do not import the shell that composes them.
    files: ['src/renderer/**/*.{ts,tsx}'],
    ignores: ['src/renderer/app/**', 'src/renderer/main.tsx'],
    rules: { 'no-restricted-imports': rendererImports(noAppShell, noTestHelpers) },
  },
  {
    // Tests, and the helpers themselves, may use src/renderer/testing/.
    files: ['src/renderer/**/*.test.ts', 'src/renderer/testing/**'],
    ignores: ['src/renderer/app/**'],
    rules: { 'no-restricted-imports': rendererImports(noAppShell) },
  },
  { files: ['src/renderer/app/**/*.test.ts'], rules: { 'no-restricted-imports': rendererImports() } },
);
