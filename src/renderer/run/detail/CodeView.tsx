// A cell's code in the run view's one Monaco editor (read-only; JavaScript, or Python for cells
// of imported runs). The code shows as
// plain text at once, and in Monaco when its chunk has loaded.
import { useEffect, useRef, useState } from 'react';
import { errorText } from '../../api/errors';
import type { CodeEditorHost, CodeLanguage } from '../codeEditor';

export function CodeView({ code, language, editor }: { code: string; language: CodeLanguage; editor: CodeEditorHost }) {
  const host = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<{ code: string; ready: boolean; error: string | null }>({ code, ready: false, error: null });
  const [height, setHeight] = useState<number | null>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    let current = true;
    const fit = (px: number) => current && setHeight(px);
    editor.show(el, code, language, fit).then(
      () => current && setState({ code, ready: true, error: null }),
      (error: unknown) => current && setState({ code, ready: false, error: errorText(error) }),
    );
    return () => {
      current = false;
      editor.hide();
    };
  }, [code, language, editor]);
  const ready = state.ready && state.code === code;
  // Before Monaco measures (and for the plain-text fallback) the height is a guess from lines.
  const lines = Math.min(Math.max(countLines(code), 3), 28);
  const size = ready && height !== null ? `${height + 2}px` : `${lines * 1.4 + 1}rem`;
  return (
    <div className="code-view" role="group" aria-label="Code" data-language={language} style={{ height: size }}>
      <div ref={host} className="code-host" />
      {!ready && <pre className="code-fallback">{code}</pre>}
      {state.error && state.code === code && <p className="run-muted">The code editor could not load ({state.error}); showing plain text.</p>}
    </div>
  );
}

function countLines(text: string): number {
  let lines = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
  return lines;
}
