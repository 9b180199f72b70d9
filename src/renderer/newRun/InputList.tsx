// The inputs chosen so far: one line per file or folder, its size, its upload progress, why it
// cannot be used, and a button that removes it (cancelling its upload when still going).
import type { RlmApi } from '../../shared/api';
import { namedBidiControls } from '../../shared/bidiControls';
import { formatBytes, percent } from '../../shared/formatBytes';
import { FileIcon, FolderIcon, CloseIcon } from '../common/icons';
import { ProgressBar } from '../common/ProgressBar';
import { bidiSafe } from '../run/text/BidiSafe';
import { isActive, type InputEntry } from './inputEntries';
import { removeEntry } from './inputQueue';

function statusText(entry: InputEntry): string {
  switch (entry.status) {
    case 'checking':
      return 'checking…';
    case 'uploading':
      return `uploading ${percent(entry.sent, entry.bytes)}%`;
    case 'done':
      return 'ready';
    case 'refused':
      return 'cannot be used';
    case 'failed':
      return 'upload failed';
  }
}

function Entry({ api, entry }: { api: RlmApi; entry: InputEntry }) {
  const what = entry.kind === 'folder' ? `${entry.files} file${entry.files === 1 ? '' : 's'}, ` : '';
  return (
    <li className={`input-item input-${entry.status}`}>
      <span className="input-icon">{entry.kind === 'folder' ? <FolderIcon /> : <FileIcon />}</span>
      <div className="input-main">
        <div className="input-line">
          <span className="input-name" title={namedBidiControls(entry.name)}>
            {bidiSafe(entry.name)}
          </span>
          <span className="input-meta">
            {what}
            {formatBytes(entry.bytes)} · {statusText(entry)}
          </span>
        </div>
        {isActive(entry) && <ProgressBar label={`Uploading ${entry.name}`} value={percent(entry.sent, entry.bytes)} />}
        {entry.error && (
          <p className="field-error" role="alert">
            {entry.error}
          </p>
        )}
        {entry.skipped.length > 0 && (
          <details className="input-skipped">
            <summary>
              {entry.skipped.length} file{entry.skipped.length === 1 ? '' : 's'} left out
            </summary>
            <ul>
              {entry.skipped.slice(0, 200).map((reason) => (
                <li key={reason}>{reason}</li>
              ))}
            </ul>
          </details>
        )}
      </div>
      <button
        type="button"
        className="icon-button"
        aria-label={isActive(entry) ? `Cancel upload of ${entry.name}` : `Remove ${entry.name}`}
        title={isActive(entry) ? 'Cancel upload' : 'Remove'}
        onClick={() => removeEntry(api, entry.id)}
      >
        <CloseIcon />
      </button>
    </li>
  );
}

export function InputList({ api, entries }: { api: RlmApi; entries: InputEntry[] }) {
  if (entries.length === 0) return null;
  return (
    <ul className="input-list" aria-label="Chosen inputs">
      {entries.map((entry) => (
        <Entry key={entry.id} api={api} entry={entry} />
      ))}
    </ul>
  );
}
