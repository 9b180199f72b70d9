// "Fork from here", once pressed: the node's reply or code in an editable Monaco editor, prefilled
// with what was recorded, and "Start fork" / "Cancel" (Ctrl/Cmd+Enter starts, Escape cancels).
// Starting calls runs.fork; a refusal is one line here and the edit stays; on success the page
// goes to the new run, which streams like any run. Its own editor, not the run view's shared
// read-only one: that one moves between cells and must stay read-only.
import type * as Monaco from 'monaco-editor/editor/editor.api';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { RlmApi } from '../../../shared/api';
import { errorText } from '../../api/errors';
import { isMacPlatform } from '../../common/shortcutLabel';
import { useNav } from '../../state/navStore';
import { showToast } from '../../state/toastStore';
import { loadMonaco, pageTheme } from '../codeEditor';
import { editProblem, warningsText, type ForkEditKind } from './forkRules';
import { namedBidiControls } from '../../../shared/bidiControls';
import { bidiSafe } from '../text/BidiSafe';
import './fork.css';

interface ForkEditorProps {
  api: RlmApi;
  runId: string;
  nodeId: number;
  kind: ForkEditKind;
  /** The recorded reply or code the edit starts from. */
  original: string;
  onCancel(): void;
}

const mac = typeof navigator !== 'undefined' && isMacPlatform(navigator.platform);
const KEYS_HINT = mac ? '⌘Enter starts · Escape cancels · Ctrl+Shift+M lets Tab leave the editor' : 'Ctrl+Enter starts · Escape cancels · Ctrl+M lets Tab leave the editor';

/** The editor grows with its text between these heights (px), then scrolls. */
const MIN_HEIGHT = 120;
const MAX_HEIGHT = 480;

export function ForkEditor({ api, runId, nodeId, kind, original, onCancel }: ForkEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<Monaco.editor.IStandaloneCodeEditor | null>(null);
  const fallback = useRef<HTMLTextAreaElement>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [height, setHeight] = useState(MIN_HEIGHT);
  const [unchanged, setUnchanged] = useState(true);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The latest callbacks for Monaco's commands, which are registered once.
  const actions = useRef({ start: () => {}, cancel: onCancel });
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const label = kind === 'code' ? 'Edited code' : 'Edited reply';
  const current = () => editor.current?.getValue() ?? fallback.current?.value ?? original;

  // A ref as well as the state: two presses of Ctrl+Enter can both come before the re-render.
  const pending = useRef(false);
  const start = async () => {
    if (pending.current) return;
    const text = current();
    const problem = editProblem(text);
    if (problem) {
      setError(`Cannot start the fork: ${problem}`);
      return;
    }
    pending.current = true;
    setStarting(true);
    setError(null);
    try {
      const started = await api.call('runs.fork', { runId, at: nodeId, edit: { kind, text } });
      const warnings = warningsText(started.warnings);
      if (warnings) showToast('info', warnings);
      // The reader may have gone elsewhere while it started: told, not taken away.
      if (mounted.current) useNav.getState().go({ view: 'run', runId: started.runId });
      else showToast('info', `The fork started as run ${started.runId}`);
    } catch (failure) {
      pending.current = false;
      // Refused (or the connection failed): said in one line, the edit kept for another try.
      if (!mounted.current) {
        showToast('error', `The fork was refused: ${errorText(failure)}`);
        return;
      }
      setError(`The fork was refused: ${errorText(failure)}`);
      setStarting(false);
      editor.current?.focus();
    }
  };
  actions.current = { start: () => void start(), cancel: () => !pending.current && onCancel() };

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    let created: Monaco.editor.IStandaloneCodeEditor | null = null;
    let live = true;
    loadMonaco().then(
      (m) => {
        if (!live) return;
        const style = getComputedStyle(document.documentElement);
        created = m.editor.create(el, {
          value: original,
          language: kind === 'code' ? 'javascript' : 'markdown',
          theme: pageTheme(m),
          ariaLabel: label,
          editContext: false,
          minimap: { enabled: false },
          automaticLayout: true,
          scrollBeyondLastLine: false,
          lineNumbersMinChars: 3,
          wordWrap: 'on',
          fontFamily: style.getPropertyValue('--mono').trim() || 'monospace',
          fontSize: Math.round(parseFloat(style.fontSize) * 0.95) || 13,
          contextmenu: false,
          // No word suggestions: Escape is "Cancel" here, not "close the suggestion list".
          quickSuggestions: false,
          suggestOnTriggerCharacters: false,
          wordBasedSuggestions: 'off',
        });
        editor.current = created;
        const model = created.getModel();
        created.onDidChangeModelContent(() => {
          // The length first: comparing a large text on every key press would cost milliseconds.
          if (model) setUnchanged(model.getValueLength() === original.length && model.getValue() === original);
        });
        created.onDidContentSizeChange((e) => {
          if (e.contentHeightChanged) setHeight(Math.min(Math.max(e.contentHeight, MIN_HEIGHT), MAX_HEIGHT));
        });
        setHeight(Math.min(Math.max(created.getContentHeight(), MIN_HEIGHT), MAX_HEIGHT));
        // Ctrl+Enter would insert a line after this one (Monaco's own binding): here it starts.
        created.addCommand(m.KeyMod.CtrlCmd | m.KeyCode.Enter, () => actions.current.start());
        // Escape cancels, unless it has something of the editor's own to close first (its find
        // box, a selection, extra cursors, a snippet): once those are gone, a Monaco binding
        // would still take the key (seen after the find box was opened), so this one claims it.
        created.addCommand(m.KeyCode.Escape, () => actions.current.cancel(), '!findWidgetVisible && !editorHasSelection && !editorHasMultipleSelections && !inSnippetMode && !suggestWidgetVisible');
        created.focus();
      },
      (failure: unknown) => live && setLoadError(errorText(failure)),
    );
    return () => {
      live = false;
      created?.dispose();
      if (editor.current === created) editor.current = null;
    };
  }, [original, kind, label]);

  useEffect(() => {
    if (loadError) fallback.current?.focus();
  }, [loadError]);

  // Escape cancels and Ctrl/Cmd+Enter starts wherever else the focus is in the editor's panel
  // (its buttons); inside the editor Monaco's commands above take them and stop them there.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.defaultPrevented) return;
    if (event.key === 'Escape' && !starting) {
      event.preventDefault();
      onCancel();
    } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void start();
    }
  };

  return (
    <div className="fork-editor" role="group" aria-label={kind === 'code' ? 'Fork: edit the code' : 'Fork: edit the reply'} onKeyDown={onKeyDown}>
      {loadError ? (
        <>
          <p className="run-muted">The code editor could not load ({loadError}); editing as plain text.</p>
          <textarea
            ref={fallback}
            className="fork-fallback"
            aria-label={label}
            defaultValue={original}
            spellCheck={false}
            onChange={(e) => setUnchanged(e.target.value === original)}
          />
        </>
      ) : (
        <div ref={host} className="fork-host" style={{ height: height + 2 }} />
      )}
      <p className="fork-hint">
        {unchanged ? (
          <span className="fork-unchanged">unchanged: the fork will replay the recording</span>
        ) : (
          <span>
            The fork re-runs this run with this {kind === 'code' ? 'code' : 'reply'}: steps before it come from the recording at no cost, and calls go live from the first that differs.
          </span>
        )}{' '}
        <span className="run-muted">{KEYS_HINT}</span>
      </p>
      {error && (
        <p className="fork-error" role="alert" title={namedBidiControls(error)}>
          {bidiSafe(error)}
        </p>
      )}
      <div className="fork-actions">
        <button type="button" className="primary" disabled={starting} onClick={() => void start()}>
          {starting && <span className="spinner small" aria-hidden="true" />} Start fork
        </button>
        <button type="button" disabled={starting} onClick={onCancel}>
          Cancel
        </button>
        {starting && (
          <span className="run-muted" role="status">
            Starting the fork…
          </span>
        )}
      </div>
    </div>
  );
}
