// The Input view: a run's documents as they were stored, one page at a time (a 1 GB input opens
// as fast as a small one: only the page on screen is read), with search, plain or regex, that
// steps through the matches. A modal <dialog>: the browser keeps focus inside, Escape closes it
// and focus goes back to the button that opened it.
import { Fragment, useEffect, useId, useRef, useState } from 'react';
import type { RlmApi } from '../../../../shared/api';
import { namedBidiControls } from '../../../../shared/bidiControls';
import { formatBytes } from '../../../../shared/formatBytes';
import { markMatches, PAGE_BYTES, pageStartFor } from './documentPaging';
import { SearchBar } from './SearchBar';
import { useDocumentPage } from './useDocumentPage';
import { useDocumentSearch, type SearchOptions } from './useDocumentSearch';
import { bidiSafe } from '../../text/BidiSafe';
import './input.css';

export interface InputDocument {
  hash: string;
  name: string;
  /** Size in bytes, when known before the first page arrives. */
  bytes?: number;
}

export interface InputViewProps {
  api: RlmApi;
  runId: string;
  documents: readonly InputDocument[];
  onClose(): void;
}

export function InputView({ api, runId, documents, onClose }: InputViewProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [docIndex, setDocIndex] = useState(0);
  const doc = documents[Math.min(docIndex, documents.length - 1)]!;
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    // Closed through the element (Escape does so itself): the browser then gives focus back to
    // the button that opened the view, which removing an open dialog from the page would not.
    <dialog ref={ref} className="dialog input-view" aria-labelledby={`${id}-title`} onClose={onClose}>
      <header className="input-head">
        <h2 id={`${id}-title`} className="dialog-title">
          Input
        </h2>
        {documents.length > 1 ? (
          <label className="input-doc-pick">
            <span className="visually-hidden">Document</span>
            <select value={docIndex} onChange={(e) => setDocIndex(Number(e.target.value))}>
              {documents.map((d, i) => (
                <option key={`${d.hash}-${i}`} value={i}>
                  {namedBidiControls(d.name)}
                  {d.bytes !== undefined ? ` (${formatBytes(d.bytes)})` : ''}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <span className="input-doc-name">{bidiSafe(doc.name)}</span>
        )}
        <button type="button" className="input-close" aria-label="Close the input view" onClick={() => ref.current?.close()}>
          Close
        </button>
      </header>
      {/* A new document starts at its top with a fresh search. */}
      <DocumentPager key={`${doc.hash}-${docIndex}`} api={api} runId={runId} doc={doc} />
    </dialog>
  );
}

function DocumentPager({ api, runId, doc }: { api: RlmApi; runId: string; doc: InputDocument }) {
  const [offset, setOffset] = useState(0);
  const [options, setOptions] = useState<SearchOptions>({ query: '', regex: false, caseSensitive: false });
  const { page, loading, error } = useDocumentPage(api, runId, doc.hash, offset);
  const search = useDocumentSearch(api, runId, doc.hash, options);
  const textRef = useRef<HTMLPreElement>(null);
  const match = search.current >= 0 ? search.matches[search.current] : undefined;

  // The page follows the current match; then the match scrolls into view.
  useEffect(() => {
    if (match) setOffset(pageStartFor(match.start));
  }, [match]);
  useEffect(() => {
    textRef.current?.querySelector('mark.current')?.scrollIntoView({ block: 'center' });
  }, [page, match]);

  const bytes = page?.bytes ?? doc.bytes ?? 0;
  const pages = Math.max(1, Math.ceil(bytes / PAGE_BYTES));
  const pageIndex = Math.floor(offset / PAGE_BYTES);
  const go = (index: number) => setOffset(Math.max(0, Math.min(pages - 1, index)) * PAGE_BYTES);
  const pieces = page ? markMatches(page.text, page.offset, search.matches) : [];
  const range = page ? `Bytes ${(page.offset + 1).toLocaleString('en-US')}–${page.end.toLocaleString('en-US')} of ${bytes.toLocaleString('en-US')}` : 'Loading…';

  return (
    <div className="input-body">
      <SearchBar options={options} setOptions={setOptions} search={search} />
      <div className="input-nav" role="group" aria-label="Pages">
        <button type="button" onClick={() => go(pageIndex - 1)} disabled={pageIndex === 0}>
          Previous page
        </button>
        <input
          type="range"
          className="input-slider"
          aria-label="Position in the document"
          aria-valuetext={range}
          min={0}
          max={pages - 1}
          value={pageIndex}
          onChange={(e) => go(Number(e.target.value))}
        />
        <button type="button" onClick={() => go(pageIndex + 1)} disabled={pageIndex >= pages - 1}>
          Next page
        </button>
        <span className="input-range" aria-live="polite">
          {range}
          {loading && page ? ' …' : ''}
        </span>
      </div>
      {error && (
        <p className="node-error" role="alert">
          Could not read this document: {error}
        </p>
      )}
      <pre ref={textRef} className="raw-text input-text" tabIndex={0} aria-label={`Text of ${doc.name}`} aria-busy={loading}>
        {pieces.map((piece, i) =>
          piece.match < 0 ? (
            <Fragment key={i}>{bidiSafe(piece.text)}</Fragment>
          ) : (
            <mark key={i} className={piece.match === search.current ? 'current' : undefined}>
              {bidiSafe(piece.text)}
            </mark>
          ),
        )}
      </pre>
    </div>
  );
}
