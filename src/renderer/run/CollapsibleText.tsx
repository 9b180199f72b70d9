// Long text (a system prompt, a 20,000-character output) shown cut, with "Show all": drawing a
// whole document in a side pane helps nobody and costs layout on every update.
import { useState } from 'react';
import { bidiSafe } from './text/BidiSafe';
import { MarkdownText } from './text/MarkdownText';
import { cutText } from './text/RawText';

export interface CollapsibleTextProps {
  text: string;
  /** Render as markdown (messages, replies) or as monospace text (output). */
  as?: 'markdown' | 'mono' | 'plain';
  limitChars?: number;
  limitLines?: number;
  className?: string;
}

export function CollapsibleText({ text, as = 'plain', limitChars = 3000, limitLines = 40, className = '' }: CollapsibleTextProps) {
  const [open, setOpen] = useState(false);
  const cut = cutText(text, limitChars, limitLines);
  const shown = open || cut === null ? text : `${cut}…`;
  return (
    <div className={`collapsible ${className}`}>
      {as === 'markdown' ? <MarkdownText text={shown} /> : <div className={as === 'mono' ? 'text-mono' : 'text-plain'}>{bidiSafe(shown)}</div>}
      {cut !== null && (
        <button type="button" className="run-link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Show less' : `Show all (${text.length.toLocaleString('en-US')} characters)`}
        </button>
      )}
    </div>
  );
}
