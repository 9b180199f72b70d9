// Code inside a reply, coloured by Monaco's JavaScript grammar and drawn as React text: every
// character kept (Monaco's colorize() would hand back HTML to inject, and this is model output).
// The code shows plain at once and gains its colours when Monaco has loaded.
import { Fragment, memo, useEffect, useState, type ReactNode } from 'react';
import { loadMonaco } from '../codeEditor';
import { BIDI_CONTROL } from '../../../shared/bidiControls';
import { bidiSafe, DRAWN_CONTROLS } from './BidiSafe';

interface Token {
  offset: number;
  type: string;
}

let grammarReady: Promise<typeof import('monaco-editor/editor/editor.api')> | null = null;

/** Monaco with its JavaScript grammar loaded (tokenize() alone does not load a lazy grammar). */
function monacoWithGrammar() {
  grammarReady ??= loadMonaco().then(async (monaco) => {
    await monaco.editor.colorize('', 'javascript', {});
    return monaco;
  });
  return grammarReady;
}

export const CodeHighlight = memo(function CodeHighlight({ code }: { code: string }) {
  const [lines, setLines] = useState<Token[][] | null>(null);
  useEffect(() => {
    let current = true;
    setLines(null);
    monacoWithGrammar().then(
      (monaco) => {
        if (current) setLines(monaco.editor.tokenize(code, 'javascript'));
      },
      () => undefined, // no colours: the code stays plain, which is still exact
    );
    return () => {
      current = false;
    };
  }, [code]);
  // Code of many bidirectional controls stays plain: each token would draw its own up to the limit.
  if (!lines || manyControls(code)) return <>{bidiSafe(code)}</>;
  // Split keeping the line breaks themselves, so \r\n comes back as it was.
  const parts = code.split(/(\r\n|\r|\n)/);
  const out: ReactNode[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const line = parts[i]!;
    const tokens = lines[i / 2] ?? [];
    // Whatever no token covers (all of a line Monaco did not tokenize) is kept as it is.
    const first = tokens[0]?.offset ?? line.length;
    if (first > 0) out.push(<Fragment key={`${i}-`}>{bidiSafe(line.slice(0, first))}</Fragment>);
    tokens.forEach((token, t) => {
      const piece = line.slice(token.offset, tokens[t + 1]?.offset ?? line.length);
      if (piece) out.push(<span key={`${i}-${t}`} className={`tok-${token.type.split('.')[0]}`}>{bidiSafe(piece)}</span>);
    });
    if (parts[i + 1] !== undefined) out.push(parts[i + 1]);
  }
  return <>{out}</>;
});

function manyControls(code: string): boolean {
  let count = 0;
  for (const _ of code.matchAll(BIDI_CONTROL)) if (++count > DRAWN_CONTROLS) return true;
  return false;
}
