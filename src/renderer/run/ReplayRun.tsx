// "Replay run": every cell re-executed from the recording, no model asked (DESIGN §11), with its
// progress and its outcome. Divergent cells are flagged in the tree and compared in the detail.
import type { RunRepository } from './runStore';
import { useRunState } from './useRunState';

export function ReplayRunButton({ store }: { store: RunRepository }) {
  const replay = useRunState(store, (s) => s.replay);
  const running = replay.phase === 'running';
  return (
    <button type="button" className="run-control" onClick={() => void store.replay()} title="Re-execute every cell from the recording and compare its output: no model is called">
      {running ? 'Cancel replay' : 'Replay run'}
    </button>
  );
}

export function ReplayOutcome({ store }: { store: RunRepository }) {
  const replay = useRunState(store, (s) => s.replay);
  if (replay.phase === 'idle') return null;
  const count = (n: number) => n.toLocaleString('en-US');
  let text: string;
  let tone = '';
  if (replay.phase === 'running') {
    text = replay.total === null ? 'Replaying…' : `Replaying… ${count(replay.done)} of ${count(replay.total)} cells`;
  } else if (replay.phase === 'failed') {
    text = `Replay failed: ${replay.error}`;
    tone = ' run-replay-failed';
  } else if (replay.result.diverged.length === 0) {
    text = `Replayed exactly: ${count(replay.result.cells)} of ${count(replay.result.cells)} cells reproduced, no model calls`;
    tone = ' run-replay-exact';
  } else {
    const { cells, reproduced, diverged } = replay.result;
    text = `Replay diverged: ${count(diverged.length)} of ${count(cells)} cells differ (flagged ≠ in the tree), ${count(reproduced)} reproduced, no model calls`;
    tone = ' run-replay-diverged';
  }
  return (
    <p className={`run-replay${tone}`} role="status" aria-label="Replay">
      {text}
    </p>
  );
}
