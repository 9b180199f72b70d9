// The bottom of New run: overall upload progress, why Start is not possible yet, errors that
// belong to no field, and the Start button itself.
import { formatBytes, percent } from '../../shared/formatBytes';
import { ProgressBar } from '../common/ProgressBar';
import { overallProgress, startBlocker } from './inputEntries';
import { useNewRun } from './newRunStore';

export function StartBar() {
  const { query, entries, phase, startError, errors } = useNewRun();
  const progress = overallProgress(entries);
  const blocker = startBlocker(query);
  const busy = phase !== 'editing';
  const uploading = progress.active > 0;
  return (
    <div className="action-bar">
      <div className="action-bar-status" aria-live="polite">
        {uploading && (
          <div className="overall-progress">
            <ProgressBar label="Upload progress" value={percent(progress.sent, progress.bytes)} />
            <span className="muted small">
              {phase === 'waiting' ? 'The run starts once the files are uploaded — ' : 'Uploading '}
              {formatBytes(progress.sent)} of {formatBytes(progress.bytes)}
            </span>
          </div>
        )}
        {phase === 'starting' && <span className="muted">Starting the run…</span>}
        {errors.inputs && <p className="form-error">{errors.inputs}</p>}
        {startError && (
          <p className="form-error" role="alert">
            {startError}
          </p>
        )}
        {!busy && blocker && (
          <span className="muted" id="start-blocker">
            {blocker}
          </span>
        )}
      </div>
      <button type="submit" className="primary" disabled={blocker !== null || busy} aria-busy={busy || undefined} aria-describedby={blocker ? 'start-blocker' : undefined}>
        {busy && <span className="spinner small on-accent" aria-hidden="true" />}
        Start run
      </button>
    </div>
  );
}
