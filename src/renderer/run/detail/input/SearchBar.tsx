// The Input view's search field: plain text or regex, case on or off, Enter for the next match
// and Shift+Enter for the previous one, and a count that says "1,000+" while more are unloaded.
import type { SearchOptions, SearchView } from './useDocumentSearch';

interface SearchBarProps {
  options: SearchOptions;
  setOptions(options: SearchOptions): void;
  search: SearchView;
}

export function SearchBar({ options, setOptions, search }: SearchBarProps) {
  const total = search.matches.length;
  // "+": more matches are known to follow (capped) or may (the search ran out of time).
  const count = `${total.toLocaleString('en-US')}${search.capped || search.timedOut ? '+' : ''}`;
  let status = '';
  if (search.error) status = search.error;
  else if (options.query && (!search.done || search.busy)) status = 'Searching…';
  else if (search.done && total === 0) status = search.timedOut ? `No matches in the first ${percent(search.searched)} (the search ran out of time; Enter searches on)` : 'No matches';
  else if (search.done) status = `${(search.current + 1).toLocaleString('en-US')} of ${count} match${total === 1 && !search.capped ? '' : 'es'}${search.timedOut ? ` in the first ${percent(search.searched)} (the search ran out of time; more may follow)` : ''}`;
  return (
    <div className="input-search" role="search" aria-label="Search the input">
      <input
        type="search"
        aria-label="Search the input"
        placeholder="Search (Enter: next, Shift+Enter: previous)"
        value={options.query}
        spellCheck={false}
        onChange={(e) => setOptions({ ...options, query: e.target.value })}
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return;
          e.preventDefault();
          if (e.shiftKey) search.previous();
          else search.next();
        }}
      />
      <button type="button" className="input-switch" aria-pressed={options.regex} onClick={() => setOptions({ ...options, regex: !options.regex })}>
        Regex
      </button>
      <button type="button" className="input-switch" aria-pressed={options.caseSensitive} onClick={() => setOptions({ ...options, caseSensitive: !options.caseSensitive })}>
        Match case
      </button>
      <button type="button" onClick={search.previous} disabled={total === 0}>
        Previous match
      </button>
      <button type="button" onClick={search.next} disabled={total === 0}>
        Next match
      </button>
      <span className={search.error ? 'input-status input-status-error' : 'input-status'} role="status" aria-label="Search result">
        {status}
      </span>
    </div>
  );
}

const percent = (share: number) => `${Math.floor(share * 100)}%`;
