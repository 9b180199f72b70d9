// "Rerun…" in the run header (issue 12, DESIGN §11): the run re-run with other models or limits
// and no edit, its recording the cache. A modal <dialog> (showModal: the rest of the page inert,
// focus kept inside, Escape cancels) with the run's settings prefilled; "Start rerun" sends only
// what changed (rerunRules.ts). A refusal is one line in the dialog and the values stay; on
// success the page goes to the new run, which streams like any run.
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent, type SyntheticEvent } from 'react';
import type { RlmApi } from '../../../shared/api';
import type { RunDetail } from '../../../shared/domain/run';
import { errorText } from '../../api/errors';
import { Field } from '../../common/Field';
import { DEDUPE_HINT, SwitchField } from '../../common/SwitchField';
import { useNav } from '../../state/navStore';
import { showToast } from '../../state/toastStore';
import type { RunRepository } from '../runStore';
import { useRunState } from '../useRunState';
import { warningsText } from './forkRules';
import { rerunDraftFrom, rerunOffer, rerunRequest, type RerunErrors, type RerunField } from './rerunRules';
import { namedBidiControls } from '../../../shared/bidiControls';
import { bidiSafe } from '../text/BidiSafe';
import './fork.css';

export function RerunButton({ store }: { store: RunRepository }) {
  const run = useRunState(store, (s) => s.run);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  // The browser gives the focus back when a modal dialog closes, but not when it is removed
  // (after a refusal the dialog may be closed by removal): the button takes it back itself.
  const wasOpen = useRef(false);
  useEffect(() => {
    if (wasOpen.current && !open) button.current?.focus();
    wasOpen.current = open;
  }, [open]);
  if (!run) return null;
  const offer = rerunOffer(run);
  if (!offer.shown) return null;
  return (
    <>
      <button ref={button} type="button" className="run-control" disabled={!offer.enabled} title={offer.title} aria-haspopup="dialog" onClick={() => setOpen(true)}>
        Rerun…
      </button>
      {open && (
        <RerunDialog
          api={store.api}
          run={run}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}

const FIELD_LABELS: Record<RerunField, string> = { rootModel: 'Root model', subModel: 'Sub model', maxCostUsd: 'Max cost (USD)', maxIterations: 'Max iterations' };

function RerunDialog({ api, run, onClose }: { api: RlmApi; run: RunDetail; onClose(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [draft, setDraft] = useState(() => rerunDraftFrom(run));
  const [errors, setErrors] = useState<RerunErrors>({});
  const [starting, setStarting] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  // A ref as well as the state: Enter pressed twice can come before the re-render.
  const pending = useRef(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      mounted.current = false;
    };
  }, []);

  // Each refused press moves the focus to the first field it names, once the fields show it.
  const [refused, setRefused] = useState(0);
  useEffect(() => {
    if (refused > 0) ref.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refused]);

  const reading = rerunRequest(run, draft);
  const unchanged = reading.ok && reading.changed === 0;

  const start = async (event: FormEvent) => {
    event.preventDefault();
    if (pending.current) return;
    if (!reading.ok) {
      setErrors(reading.errors);
      setRefused((n) => n + 1);
      return;
    }
    pending.current = true;
    setStarting(true);
    setRefusal(null);
    try {
      const started = await api.call('runs.fork', { runId: run.runId, ...reading.params });
      const warnings = warningsText(started.warnings, 'rerun');
      if (warnings) showToast('info', warnings);
      // Closed meanwhile (Escape is refused while starting, but a page can still go elsewhere): told, not taken away.
      if (mounted.current) useNav.getState().go({ view: 'run', runId: started.runId });
      else showToast('info', `The rerun started as run ${started.runId}`);
    } catch (failure) {
      pending.current = false;
      if (!mounted.current) {
        showToast('error', `The rerun was refused: ${errorText(failure)}`);
        return;
      }
      // Refused (or the connection failed): said in one line, the values kept for another try.
      setRefusal(`The rerun was refused: ${errorText(failure)}`);
      setStarting(false);
    }
  };

  const set = (key: RerunField) => (value: string) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setErrors((e) => {
      const rest = { ...e };
      delete rest[key];
      return rest;
    });
  };

  // Escape: the browser cancels, then closes the dialog (its `close` tells the owner). While the
  // rerun is being started it stays open; should the browser close it all the same (it lets a
  // page refuse Escape only once per user action), the rerun still starts and a toast says so.
  const onCancel = (event: SyntheticEvent) => {
    if (pending.current) event.preventDefault();
  };
  // The modal dialog keeps the focus off the page, but Tab past its last control would leave for
  // the browser's own (the address bar): here it wraps around, both ways.
  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key !== 'Tab' || !ref.current) return;
    const controls = [...ref.current.querySelectorAll<HTMLElement>('input, button')].filter((el) => !(el as HTMLInputElement | HTMLButtonElement).disabled);
    const first = controls[0];
    const last = controls[controls.length - 1];
    if (!first || !last) return;
    if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    } else if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    }
  };

  return (
    <dialog ref={ref} className="dialog rerun-dialog" aria-labelledby={`${id}-title`} aria-describedby={`${id}-explain`} onCancel={onCancel} onClose={onClose} onKeyDown={onKeyDown}>
      <form onSubmit={(e) => void start(e)} noValidate>
        <h2 id={`${id}-title`} className="dialog-title">
          Rerun with other settings
        </h2>
        <div className="dialog-body">
          <p id={`${id}-explain`} className="rerun-explain">
            Re-runs this run from the start with these settings. Calls whose request still matches the recording are answered from it at no cost; the rest go live.
          </p>
          <div className="rerun-fields">
            {(['rootModel', 'subModel', 'maxCostUsd', 'maxIterations'] as const).map((key) => (
              <Field
                key={key}
                label={FIELD_LABELS[key]}
                value={draft[key]}
                onChange={set(key)}
                error={errors[key]}
                {...(key === 'maxCostUsd' ? { placeholder: 'no limit' } : {})}
                inputMode={key === 'maxCostUsd' ? 'decimal' : key === 'maxIterations' ? 'numeric' : 'text'}
              />
            ))}
          </div>
          <SwitchField label="Deduplicate sub-calls" checked={draft.dedupeSubcalls} onChange={(checked) => setDraft((d) => ({ ...d, dedupeSubcalls: checked }))} hint={DEDUPE_HINT} />
          {unchanged && <p className="fork-unchanged">unchanged: the rerun will replay the recording</p>}
        </div>
        {refusal && (
          <p className="fork-error" role="alert" title={namedBidiControls(refusal)}>
            {bidiSafe(refusal)}
          </p>
        )}
        <div className="dialog-actions">
          {starting && (
            <span className="run-muted rerun-progress" role="status">
              <span className="spinner small" aria-hidden="true" /> Starting the rerun…
            </span>
          )}
          <button type="button" disabled={starting} onClick={() => ref.current?.close()}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={starting} aria-busy={starting || undefined}>
            Start rerun
          </button>
        </div>
      </form>
    </dialog>
  );
}
