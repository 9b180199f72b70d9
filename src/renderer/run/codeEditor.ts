// One read-only Monaco editor per run view, moved between the cells the reader opens: creating
// an editor per cell would cost tens of milliseconds and leak DOM listeners. Each cell's code
// gets its own model, swapped in; the editor's element is re-attached to whichever container
// shows code.
import type * as Monaco from 'monaco-editor/editor/editor.api';

export type MonacoApi = typeof Monaco;

/** The languages a cell's code is highlighted in (NodePayload.language; javascript when absent). */
export type CodeLanguage = 'javascript' | 'python';

export interface CodeEditorHost {
  /**
   * Shows `code` in `container`, highlighted as `language`; resolves once it is on screen (or
   * superseded). `onHeight` hears the height the code needs (wrapped lines included), so the
   * container can fit it.
   */
  show(container: HTMLElement, code: string, language: CodeLanguage, onHeight?: (px: number) => void): Promise<void>;
  /** Takes the editor out of its container (the cell was closed). */
  hide(): void;
  /** Frees the editor; a later show() makes a new one. */
  dispose(): void;
}

let loading: Promise<MonacoApi> | null = null;

/** Monaco, loaded once on first use (its chunk is large); also what the raw text view highlights with. */
export function loadMonaco(): Promise<MonacoApi> {
  loading ??= import('./monacoSetup').then(
    (module) => module.monaco,
    (error: unknown) => {
      loading = null; // a later cell may try again
      throw error;
    },
  );
  return loading;
}

const darkQuery = '(prefers-color-scheme: dark)';

export function createCodeEditorHost(): CodeEditorHost {
  let editor: Monaco.editor.IStandaloneCodeEditor | null = null;
  let model: Monaco.editor.ITextModel | null = null;
  let element: HTMLDivElement | null = null;
  // Every show() and hide() takes a ticket; a show that finishes loading after a newer call is
  // dropped (the reader moved on while Monaco loaded).
  let ticket = 0;
  let media: MediaQueryList | null = null;
  let monacoApi: MonacoApi | null = null;
  let heightListener: ((px: number) => void) | null = null;
  // The page's colours change with the OS scheme; the theme is redefined from them each time.
  const followTheme = () => {
    if (monacoApi) applyTheme(monacoApi, media?.matches ?? false);
  };

  // Created on first use, not with the host: a host React makes and throws away (StrictMode)
  // must hold nothing.
  function create(m: MonacoApi): Monaco.editor.IStandaloneCodeEditor {
    media = typeof matchMedia === 'function' ? matchMedia(darkQuery) : null;
    media?.addEventListener('change', followTheme);
    applyTheme(m, media?.matches ?? false);
    element = document.createElement('div');
    element.className = 'code-editor';
    const style = getComputedStyle(document.documentElement);
    const created = m.editor.create(element, {
      readOnly: true,
      // With domReadOnly, Monaco's input textarea carries the readonly attribute, which screen
      // readers announce; its EditContext input (a div with role textbox) says nothing of it.
      domReadOnly: true,
      editContext: false,
      minimap: { enabled: false },
      automaticLayout: true,
      scrollBeyondLastLine: false,
      renderLineHighlight: 'none',
      lineNumbersMinChars: 3,
      folding: true,
      wordWrap: 'on',
      fontFamily: style.getPropertyValue('--mono').trim() || 'monospace',
      fontSize: Math.round(parseFloat(style.fontSize) * 0.95) || 13,
      theme: THEME,
      ariaLabel: 'Code',
      contextmenu: false,
      // Read-only code needs no tab trapping: Tab leaves the editor like any other field.
      tabFocusMode: true,
    });
    created.onDidContentSizeChange((e) => {
      if (e.contentHeightChanged) heightListener?.(e.contentHeight);
    });
    return created;
  }

  return {
    async show(container, code, language, onHeight) {
      const mine = ++ticket;
      const m = await loadMonaco();
      if (mine !== ticket) return;
      monacoApi = m;
      editor ??= create(m);
      heightListener = onHeight ?? null;
      if (element && element.parentElement !== container) container.appendChild(element);
      const next = m.editor.createModel(code, language);
      editor.setModel(next);
      model?.dispose();
      model = next;
      editor.setScrollPosition({ scrollTop: 0, scrollLeft: 0 });
      editor.layout();
      heightListener?.(editor.getContentHeight());
    },
    hide() {
      ticket++;
      heightListener = null;
      element?.remove();
    },
    dispose() {
      ticket++;
      heightListener = null;
      media?.removeEventListener('change', followTheme);
      media = null;
      editor?.dispose();
      model?.dispose();
      element?.remove();
      editor = null;
      model = null;
      element = null;
    },
  };
}

const THEME = 'rlmscope';

/** Defines the page's Monaco theme for the current colour scheme and names it (for another editor: the fork's). */
export function pageTheme(m: MonacoApi): string {
  applyTheme(m, typeof matchMedia === 'function' && matchMedia(darkQuery).matches);
  return THEME;
}

/** Monaco's light or dark theme on the page's own code background (styles.css --bg-alt). */
function applyTheme(m: MonacoApi, dark: boolean): void {
  const bg = getComputedStyle(document.documentElement).getPropertyValue('--bg-alt').trim();
  const colors: Record<string, string> = bg ? { 'editor.background': bg, 'editorGutter.background': bg } : {};
  m.editor.defineTheme(THEME, { base: dark ? 'vs-dark' : 'vs', inherit: true, rules: [], colors });
  m.editor.setTheme(THEME);
}
