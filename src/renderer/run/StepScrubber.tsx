// The step scrubber: a slider over the run's recorded events (timeTravel.ts). At step k the tree,
// the detail pane and the meter show the run as it stood after its k-th event; at the last step
// (the default) they show it as recorded, and a live run is followed. The slider takes ←/→,
// PageUp/PageDown, Home/End; play runs through the steps in about half a minute, whatever the run's size.
import { useEffect, useState } from 'react';
import { formatDuration } from '../../shared/format';
import { stepsOf } from './runModel';
import type { RunRepository } from './runStore';
import { countSteps } from './timeTravel';
import { useRunState } from './useRunState';

/** Play's pace: a tick this often, and this many ticks from the first step to the last. */
const PLAY_TICK_MS = 50;
const PLAY_TICKS = 600;

export function StepScrubber({ store }: { store: RunRepository }) {
  const model = useRunState(store, (s) => s.model);
  useRunState(store, (s) => s.treeVersion);
  const step = useRunState(store, (s) => s.step);
  const createdAt = useRunState(store, (s) => s.run?.createdAt ?? 0);
  const [playing, setPlaying] = useState(false);
  // At an earlier step the steps index knows the count; at the end (live) it is counted per change.
  const count = !model ? 0 : step !== null ? stepsOf(model).count : countSteps(model.tree);
  const value = step ?? count;

  useEffect(() => {
    if (!playing) return;
    const stride = Math.max(1, Math.ceil(count / PLAY_TICKS));
    const timer = setInterval(() => {
      const at = store.state.getState().step;
      if (at === null) {
        setPlaying(false);
        return;
      }
      store.setStep(at + stride);
    }, PLAY_TICK_MS);
    return () => clearInterval(timer);
  }, [playing, count, store]);

  if (!model || count === 0) return null;
  const at = step === null ? null : stepsOf(model).timeAt(step);
  const play = () => {
    // From the end, play starts over from the first step.
    if (step === null) store.setStep(0);
    setPlaying(true);
  };
  return (
    <div className="step-scrubber">
      <button type="button" className="step-play" onClick={playing ? () => setPlaying(false) : play} aria-label={playing ? 'Pause the steps' : 'Play the steps'} title={playing ? 'Pause' : 'Play through the steps'}>
        {playing ? '❚❚' : '▶'}
      </button>
      <label className="step-label" htmlFor="run-step">
        Step
      </label>
      <input
        id="run-step"
        className="step-slider"
        type="range"
        min={0}
        max={count}
        step={1}
        value={value}
        aria-valuetext={step === null ? `last step, ${count} of ${count}: the run as recorded` : `step ${step} of ${count}, at ${formatDuration(Math.max(0, (at ?? createdAt) - createdAt))}`}
        onChange={(event) => {
          setPlaying(false);
          store.setStep(Number(event.currentTarget.value));
        }}
      />
      <span className="step-position run-muted" aria-live="off">
        {step === null ? (
          <>
            {count.toLocaleString('en-US')} of {count.toLocaleString('en-US')} · as recorded
          </>
        ) : (
          <>
            {step.toLocaleString('en-US')} of {count.toLocaleString('en-US')} · at {formatDuration(Math.max(0, (at ?? createdAt) - createdAt))}
          </>
        )}
      </span>
      {step !== null && (
        <button type="button" className="step-end" onClick={() => store.setStep(null)}>
          Back to the end
        </button>
      )}
    </div>
  );
}
