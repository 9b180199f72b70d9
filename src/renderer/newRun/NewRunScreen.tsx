// New run: the query, the inputs (files, folders, pasted text), the models and the limits, and
// Start. Wiring only; the parts are beside it.
import { useEffect, type FormEvent, type KeyboardEvent } from 'react';
import type { RlmApi } from '../../shared/api';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { useNav } from '../state/navStore';
import { showToast } from '../state/toastStore';
import { Field } from '../common/Field';
import { LimitsFields } from '../common/LimitsFields';
import { DEDUPE_HINT, SwitchField } from '../common/SwitchField';
import { DropZone } from './DropZone';
import { PASTED_TEXT_NAME } from './inputEntries';
import { InputList } from './InputList';
import { ModelFields } from './ModelFields';
import { editDraft, editLimit, loadSettings, useNewRun } from './newRunStore';
import { StartBar } from './StartBar';
import './newRun.css';
import { startRun } from './startRun';

export function NewRunScreen({ api }: { api: RlmApi }) {
  const { query, pasted, entries, limits, dedupeSubcalls, errors, settings, settingsError } = useNewRun();
  useEffect(() => void loadSettings(api), [api]);

  const start = async () => {
    const started = await startRun(api);
    if (!started) return;
    for (const warning of started.warnings) showToast('info', warning);
    useNav.getState().go({ view: 'run', runId: started.runId });
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void start();
  };
  // Ctrl+Enter (Cmd+Enter) in the query starts, as in most tools with a prompt box.
  const onQueryKey = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void start();
    }
  };

  return (
    <form className="screen form-screen" onSubmit={onSubmit} noValidate>
      <header className="screen-header">
        <h1>New run</h1>
      </header>
      <div className="screen-body">
        {settingsError && (
          <p className="banner banner-error" role="alert">
            {settingsError}
          </p>
        )}
        <div className="two-columns wide-gap">
          <section className="form-section" aria-labelledby="nr-question">
            <h2 id="nr-question">Question</h2>
            <Field label="Query" multiline rows={6} value={query} error={errors.query} onChange={(v) => editDraft({ query: v })} onKeyDown={onQueryKey} placeholder="What should the model find out? (Ctrl+Enter starts)" />
            <Field
              label="Paste text"
              multiline
              rows={5}
              value={pasted}
              onChange={(v) => editDraft({ pasted: v })}
              placeholder="Optional: text to work on, besides the files"
              hint={pasted.trim() ? `Sent as “${PASTED_TEXT_NAME}”, ${pasted.length.toLocaleString()} characters` : undefined}
            />
          </section>
          <section className="form-section" aria-labelledby="nr-inputs">
            <h2 id="nr-inputs">Files</h2>
            <DropZone api={api} />
            <InputList api={api} entries={entries} />
          </section>
        </div>
        <section className="form-section" aria-labelledby="nr-models">
          <h2 id="nr-models">Models</h2>
          <ModelFields settings={settings} />
        </section>
        <section className="form-section" aria-labelledby="nr-limits">
          <h2 id="nr-limits">Limits</h2>
          <p className="muted small">Empty fields use the defaults from Settings, shown greyed. Type “none” to lift a limit for this run.</p>
          <LimitsFields draft={limits} errors={errors.limits} defaults={settings?.limits ?? DEFAULT_LIMITS} onChange={editLimit} />
          <SwitchField label="Deduplicate sub-calls" checked={dedupeSubcalls ?? settings?.dedupeSubcalls ?? false} onChange={(checked) => editDraft({ dedupeSubcalls: checked })} hint={DEDUPE_HINT} />
        </section>
      </div>
      <footer className="screen-footer">
        <StartBar />
      </footer>
    </form>
  );
}
