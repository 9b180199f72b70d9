// Model text with its bidirectional controls drawn and disarmed (shared/bidiControls.ts). Each
// control stays in the text, so copying gives back exactly what the model wrote, but sits alone
// in an isolating span: an override or embedding ends where its span ends, so it reorders
// nothing around it. A small badge names it ("RLO"), drawn by CSS so a copy does not take it.
// Right-to-left text itself is left to the browser, as any other text.
import type { ReactNode } from 'react';
import { BIDI_CONTROL, bidiControlName, hasBidiControl } from '../../../shared/bidiControls';
import './bidiSafe.css';

/** `text` as React children: itself when it holds no bidirectional control. */
export function bidiSafe(text: string): ReactNode {
  if (!hasBidiControl(text)) return text;
  const out: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(BIDI_CONTROL)) {
    const at = match.index;
    if (at > last) out.push(text.slice(last, at));
    const { short, codePoint } = bidiControlName(match[0]);
    out.push(
      <span key={at} className="bidi-control" data-name={short} title={`${codePoint} (${short}): an invisible character that reorders text, shown here and kept from acting`}>
        {match[0]}
      </span>,
    );
    last = at + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
