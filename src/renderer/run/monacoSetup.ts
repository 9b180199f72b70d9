// Monaco, bundled locally (no CDN: the page's CSP allows scripts from 'self' only) and cut down
// to what a read-only code viewer needs: the editor API, JavaScript highlighting (RLMScope's own
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
import 'monaco-editor/features/codicon/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/folding/register';
import 'monaco-editor/features/bracketMatching/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

export { monaco };
