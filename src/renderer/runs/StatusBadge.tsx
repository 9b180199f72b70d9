// A run's status as a word with a coloured dot: the colour helps, the word carries it. Why it
// ended ("cost limit", "by you") goes under it, in a lighter tone. Hidden from assistive
// technology: the row reads the status whole, message included (RunRow).
import type { RunStatus } from '../../shared/domain/run';
import { statusTone } from './runRowText';

export function StatusBadge({ status, reason = null }: { status: RunStatus; reason?: string | null }) {
  return (
    <span className={`status-badge tone-${statusTone(status)}`} aria-hidden="true">
      <span className="status-dot" aria-hidden="true" />
      <span className="status-word">{status}</span>
      {reason !== null && <span className="status-reason">{reason}</span>}
    </span>
  );
}
