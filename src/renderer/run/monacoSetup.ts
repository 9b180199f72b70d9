// Monaco, bundled locally (no CDN: the page's CSP allows scripts from 'self' only) and cut down
// to what a code viewer (and the fork's editor of one reply or cell) needs: the editor API, JavaScript highlighting (RLMScope's own
// cells) and Python highlighting (cells of runs imported from the reference library), find, folding
// and bracket matching. Loaded only through `import()` from codeEditor.ts, so that the tree is
// on screen before this large module is parsed.
//
// Not loaded on purpose: the TypeScript language service and its worker (megabytes for
// diagnostics and completions a read-only view never shows). Highlighting is the JavaScript
// and Python Monarch grammars, which run on the page. The generic editor worker (word ranges, links) is
// bundled as a module worker by Vite's `?worker` import: served from 'self', allowed by
// `worker-src 'self' blob:`, and never uses eval.
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/languages/definitions/javascript/register';
import 'monaco-editor/languages/definitions/python/register';
// A reply edited for a fork (issue 12) is markdown with ```repl blocks in it.
import 'monaco-editor/languages/definitions/markdown/register';
import 'monaco-editor/features/codicon/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/folding/register';
import 'monaco-editor/features/bracketMatching/register';
// For the fork's editor: word-wise moves and deletes, line comments, and Ctrl+M to let Tab leave
// the editor (it indents there; a keyboard user must not be trapped).
import 'monaco-editor/features/wordOperations/register';
import 'monaco-editor/features/comment/register';
import 'monaco-editor/features/toggleTabFocusMode/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

export { monaco };
