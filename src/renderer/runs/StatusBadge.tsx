// A run's status as a word with a coloured dot: the colour helps, the word carries it.
import type { RunStatus } from '../../shared/domain';
import { statusTone } from './runRowText';

export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`status-badge tone-${statusTone(status)}`}>
      <span className="status-dot" aria-hidden="true" />
      {status}
    </span>
  );
}
