// Model text with its bidirectional controls drawn and disarmed (shared/bidiControls.ts). Each
// control stays in the text, so copying gives back exactly what the model wrote, but sits alone
// in an isolating span: an override or embedding ends where its span ends, so it reorders
// nothing around it. A small badge names it ("RLO"), drawn by CSS so a copy does not take it.
// Right-to-left text itself is left to the browser, as any other text.
import type { ReactNode } from 'react';
import { BIDI_CONTROL, bidiControlName, hasBidiControl } from '../../../shared/bidiControls';
import './bidiSafe.css';

/**
 * Controls drawn in their own span in one text. Past this many the rest of the text shows each
 * as U+FFFD, as the terminal does (copying it is then not exact: the value's download is): a
 * reply of 100,000 controls, one isolating span each, froze the page for minutes.
 */
export const DRAWN_CONTROLS = 1000;

/** `text` as React children: itself when it holds no bidirectional control. */
export function bidiSafe(text: string): ReactNode {
  if (!hasBidiControl(text)) return text;
  const out: ReactNode[] = [];
  let last = 0;
  let drawn = 0;
  for (const match of text.matchAll(BIDI_CONTROL)) {
    const at = match.index;
    if (drawn === DRAWN_CONTROLS) {
      out.push(
        <span key="rest" className="bidi-replaced" title={`More than ${DRAWN_CONTROLS.toLocaleString('en-US')} bidirectional controls: from here each is shown as \ufffd`}>
          {text.slice(last).replace(BIDI_CONTROL, '\ufffd')}
        </span>,
      );
      return out;
    }
    drawn++;
    if (at > last) out.push(text.slice(last, at));
    out.push(
      <span key={at} className="bidi-control" data-name={bidiControlName(match[0]).short} title={controlTitle(match[0])}>
        {match[0]}
      </span>,
    );
    last = at + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function controlTitle(char: string): string {
  const { short, codePoint } = bidiControlName(char);
  return `${codePoint} (${short}): an invisible character that reorders text, shown here and kept from acting`;
}

// The parts of a hast tree (the HTML react-markdown builds from markdown) that bidiSafeRehype reads.
interface HastText {
  type: 'text';
  value: string;
}
interface HastParent {
  type: string;
  children?: HastNode[];
}
type HastNode = HastText | (HastParent & { tagName?: string; properties?: Record<string, unknown> });

/**
 * A rehype plugin: each bidirectional control in the markdown's text gets the span bidiSafe
 * gives it, so a reply switched to Rendered is drawn as its raw view is.
 */
export function bidiSafeRehype() {
  let drawn = 0;
  const visit = (node: HastParent): void => {
    if (!node.children) return;
    const children: HastNode[] = [];
    for (const child of node.children) {
      if (child.type !== 'text') {
        visit(child as HastParent);
        children.push(child);
        continue;
      }
      const { value } = child as HastText;
      if (!hasBidiControl(value)) {
        children.push(child);
        continue;
      }
      let last = 0;
      for (const match of value.matchAll(BIDI_CONTROL)) {
        // Past DRAWN_CONTROLS, as bidiSafe: the rest as U+FFFD.
        if (drawn++ >= DRAWN_CONTROLS) break;
        if (match.index > last) children.push({ type: 'text', value: value.slice(last, match.index) });
        const properties = { className: ['bidi-control'], dataName: bidiControlName(match[0]).short, title: controlTitle(match[0]) };
        children.push({ type: 'element', tagName: 'span', properties, children: [{ type: 'text', value: match[0] }] });
        last = match.index + match[0].length;
      }
      if (last < value.length) children.push({ type: 'text', value: value.slice(last).replace(BIDI_CONTROL, '\ufffd') });
    }
    node.children = children;
  };
  return (tree: HastParent) => {
    drawn = 0;
    visit(tree);
  };
}
