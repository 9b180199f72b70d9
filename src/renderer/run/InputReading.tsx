// A large input read before the run's first step (run.inputProgress): a gigabyte takes seconds to
// check and store, and the page said nothing meanwhile. Shown under the run's heading until the
// first step appears or the run ends; the words are the terminal's (shared/inputProgress.ts).
import { inputProgressLine } from '../../shared/inputProgress';
import { isActive } from './runModel';
import type { RunRepository } from './runStore';
import { useRunState } from './useRunState';

export function InputReading({ store }: { store: RunRepository }) {
  const progress = useRunState(store, (s) => {
    if (!s.inputProgress || !s.run || !isActive(s.run.status)) return null;
    // The root's first turn (or any node under it) means the sandbox has the input.
    return (s.model?.tree.nodes.size ?? 0) > 1 ? null : s.inputProgress;
  });
  if (!progress) return null;
  const line = inputProgressLine(progress);
  // The bar is the pass the words name (checked, then stored), so it agrees with their percentage.
  return (
    <p className="run-input-reading" role="status" aria-label="Reading the input">
      <progress max={progress.totalBytes} value={progress.doneBytes} aria-hidden="true" />
      <span>{line.charAt(0).toUpperCase() + line.slice(1)}</span>
    </p>
  );
}
