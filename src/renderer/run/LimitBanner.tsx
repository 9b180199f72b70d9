// A limit that stopped the run, said where the reader looks first.
import type { RunRepository } from './runStore';
import { useRunState } from './useRunState';

export function LimitBanner({ store }: { store: RunRepository }) {
  const hit = useRunState(store, (s) => s.limitHit);
  if (!hit) return null;
  return (
    <div className="run-banner run-banner-warning" role="alert">
      <strong>Limit reached:</strong> {hit.message}
    </div>
  );
}
