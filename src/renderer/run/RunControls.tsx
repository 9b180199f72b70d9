// Pause, resume, step and stop: each enabled only when it applies to the run's status, an error
// shown next to the buttons. A run that has ended (or is still loading) has no controls at all:
// four disabled buttons on a finished run only say there is nothing to do.
import type { RunStatus } from '../../shared/domain/run';
import { isMacPlatform, shortcutLabel } from '../common/shortcutLabel';
import { isActive } from './runModel';
import type { ControlMethod, RunRepository } from './runStore';
import { useRunState } from './useRunState';

interface Control {
  method: ControlMethod;
  label: string;
  /** The app's shortcut for it (shortcuts.ts), shown in its tooltip and told to assistive tech. */
  shortcut?: { key: string; aria: string };
  text: string;
  busyText: string;
  appliesTo: readonly RunStatus[];
}

const CONTROLS: readonly Control[] = [
  { method: 'runs.pause', label: 'Pause run', text: 'Pause', busyText: 'Pausing…', appliesTo: ['running'] },
  { method: 'runs.resume', label: 'Resume run', text: 'Resume', busyText: 'Resuming…', appliesTo: ['paused'] },
  // One step (a model turn or a cell of any RLM), then paused again.
  { method: 'runs.step', label: 'Step', text: 'Step', busyText: 'Stepping…', appliesTo: ['paused'] },
  { method: 'runs.stop', label: 'Stop run', text: 'Stop', busyText: 'Stopping…', appliesTo: ['running', 'paused'], shortcut: { key: '.', aria: 'Control+.' } },
];

export function RunControls({ store }: { store: RunRepository }) {
  const status = useRunState(store, (s) => s.run?.status ?? null);
  const pending = useRunState(store, (s) => s.controlPending);
  const error = useRunState(store, (s) => s.controlError);
  if (status === null || !isActive(status)) return null;
  const mac = isMacPlatform(navigator.platform);
  return (
    <div className="run-controls">
      <div role="group" aria-label="Run controls" className="run-control-buttons">
        {CONTROLS.map((c) => (
          <button
            key={c.method}
            type="button"
            aria-label={c.label}
            title={c.shortcut ? `${c.label} (${shortcutLabel(c.shortcut.key, mac)})` : undefined}
            aria-keyshortcuts={c.shortcut ? (mac ? c.shortcut.aria.replace('Control', 'Meta') : c.shortcut.aria) : undefined}
            className={c.method === 'runs.stop' ? 'run-control run-control-stop' : 'run-control'}
            disabled={pending !== null || !c.appliesTo.includes(status)}
            onClick={() => void store.control(c.method)}
          >
            {pending === c.method ? c.busyText : c.text}
          </button>
        ))}
      </div>
      {error && (
        <p className="run-control-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
