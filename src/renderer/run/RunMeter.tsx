// Cost, tokens, model calls and elapsed time, each against the run's limit; a gauge turns to the
// warning colour near its limit and to the danger colour past it.
import { meterItems } from './meter';
import { isActive, stepsOf } from './runModel';
import type { RunRepository } from './runStore';
import { runAt } from './timeTravel';
import { useNow } from './useNow';
import { useRunState } from './useRunState';

export function RunMeter({ store }: { store: RunRepository }) {
  const recorded = useRunState(store, (s) => s.run);
  const model = useRunState(store, (s) => s.model);
  const step = useRunState(store, (s) => s.step);
  useRunState(store, (s) => s.treeVersion);
  const ticking = useNow(recorded !== null && isActive(recorded.status));
  if (!recorded) return <div className="run-meter" />;
  // At an earlier step (time travel): the totals of the calls ended by then.
  const steps = step !== null && model ? stepsOf(model) : null;
  // (A fork's calls from the cache are counted for the run as recorded only: no note at an earlier step.)
  const run = steps && step !== null ? { ...runAt(recorded, steps, step), cachedCalls: 0 } : recorded;
  const now = steps && step !== null ? steps.timeAt(step) : ticking;
  return (
    <section className="run-meter" aria-label="Run meter">
      {meterItems(run, now).map((item) => (
        <div key={item.label} className={`meter meter-${item.level}`}>
          <span className="meter-label">{item.label}</span>
          <span className="meter-value">
            {item.value}
            {item.limit !== null && <span className="meter-limit"> / {item.limit}</span>}
            {item.note && (
              <span className="meter-note" title={item.noteTitle}>
                {' '}
                · {item.note}
              </span>
            )}
          </span>
          {item.fraction !== null && (
            <span
              className="meter-bar"
              role="meter"
              aria-label={`${item.label} used of the limit`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(item.fraction * 100)}
            >
              <span className="meter-fill" style={{ width: `${item.fraction * 100}%` }} />
            </span>
          )}
        </div>
      ))}
    </section>
  );
}
