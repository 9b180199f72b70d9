// Text exactly as the model received or produced it: monospace, whitespace and newlines kept,
// long lines wrapped, nothing interpreted. Long text starts cut, and "Show all" names the
// value's real length: when only the start of a value reached the page (a context preview),
// "Show all" opens the whole value elsewhere (the Input view) instead of pretending.
import { useState, type ReactNode } from 'react';
import { bidiSafe } from './BidiSafe';
import './rawText.css';

/** Characters drawn at once once opened: more is paged (a 50 MB output in one element freezes the page). */
export const PAGE_CHARS = 200_000;

export interface RawTextProps {
  text: string;
  /** The value's real length, when `text` is only its start. */
  totalLength?: number;
  /** Shows the whole value when `text` is only its start; without it, the cut is only stated. */
  onShowWhole?: () => void;
  limitChars?: number;
  limitLines?: number;
  className?: string;
  /** Draws the shown text (highlighted code, or a rendered reply); plain text by default. */
  render?: (shown: string) => ReactNode;
}

/** The text cut at `limitChars` characters or `limitLines` lines, or null when it fits. */
export function cutText(text: string, limitChars: number, limitLines: number): string | null {
  let end = Math.min(text.length, limitChars);
  let lines = 0;
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10 && ++lines >= limitLines) {
      end = i;
      break;
    }
  }
  end = charEdge(text, end);
  return end < text.length ? text.slice(0, end) : null;
}

/** `index`, moved back off the middle of an astral character ("😀" is two UTF-16 units). */
export function charEdge(text: string, index: number): number {
  const inPair = index > 0 && index < text.length && (text.charCodeAt(index - 1) & 0xfc00) === 0xd800 && (text.charCodeAt(index) & 0xfc00) === 0xdc00;
  return inPair ? index - 1 : index;
}

const count = (n: number) => `${n.toLocaleString('en-US')} character${n === 1 ? '' : 's'}`;

export function RawText({ text, totalLength, onShowWhole, limitChars = 3000, limitLines = 40, className = '', render }: RawTextProps) {
  const [open, setOpen] = useState(false);
  const [page, setPage] = useState(0);
  const real = Math.max(totalLength ?? text.length, text.length);
  const partial = real > text.length;
  const cut = cutText(text, limitChars, limitLines);
  const paged = open && text.length > PAGE_CHARS;
  const pages = Math.ceil(text.length / PAGE_CHARS);
  const shown = !open ? (cut ?? text) : paged ? text.slice(charEdge(text, page * PAGE_CHARS), charEdge(text, (page + 1) * PAGE_CHARS)) : text;
  const shownCount = open ? shown.length : (cut ?? text).length;
  const draw = render ?? bidiSafe;
  return (
    <div className={`raw ${className}`}>
      <pre className="raw-text">{draw(shown)}</pre>
      {(cut !== null || partial) && (
        <p className="raw-more">
          {paged ? (
            <PageNav page={page} pages={pages} length={text.length} setPage={setPage} />
          ) : (
            !open && <span className="run-muted">Showing {shownCount.toLocaleString('en-US')} of {count(real)}. </span>
          )}
          {open ? (
            <button type="button" className="run-link-button" aria-expanded onClick={() => (setOpen(false), setPage(0))}>
              Show less
            </button>
          ) : partial ? (
            onShowWhole && (
              <button type="button" className="run-link-button" aria-haspopup="dialog" onClick={onShowWhole}>
                Show all ({count(real)})
              </button>
            )
          ) : (
            <button type="button" className="run-link-button" aria-expanded={false} onClick={() => setOpen(true)}>
              Show all ({count(real)})
            </button>
          )}
        </p>
      )}
    </div>
  );
}

function PageNav({ page, pages, length, setPage }: { page: number; pages: number; length: number; setPage: (page: number) => void }) {
  const first = page * PAGE_CHARS + 1;
  const last = Math.min(length, (page + 1) * PAGE_CHARS);
  return (
    <span className="raw-pages" role="group" aria-label="Pages of this text">
      <span className="run-muted">
        Characters {first.toLocaleString('en-US')}–{last.toLocaleString('en-US')} of {count(length)}.{' '}
      </span>
      <button type="button" className="run-link-button" disabled={page === 0} onClick={() => setPage(page - 1)}>
        Previous part
      </button>{' '}
      <button type="button" className="run-link-button" disabled={page >= pages - 1} onClick={() => setPage(page + 1)}>
        Next part
      </button>{' '}
    </span>
  );
}
