// Settings: the provider (base URL, key, models) with a connection test, the default limits of
// new runs, and the price table. Saved together with "Save settings".
import { useEffect, type FormEvent } from 'react';
import type { RlmApi } from '../../shared/api';
import { Field } from '../common/Field';
import { LimitsFields } from '../common/LimitsFields';
import { LIFTED_LIMITS } from '../common/limitsForm';
import { DEDUPE_HINT, SwitchField } from '../common/SwitchField';
import { ApiKeyField } from './ApiKeyField';
import { ConnectionCheck } from './ConnectionCheck';
import { BundledPrices, PriceOverrides } from './PriceTable';
import { SaveBar } from './SaveBar';
import './settings.css';
import { editDedupeDefault, editDefaultLimit, editField, loadSettings, saveSettings, useSettings } from './settingsStore';

export function SettingsScreen({ api }: { api: RlmApi }) {
  const { saved, draft, errors, loadError } = useSettings();
  useEffect(() => void loadSettings(api), [api]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void saveSettings(api);
  };

  if (!saved || !draft) {
    return (
      <div className="screen">
        <header className="screen-header">
          <h1>Settings</h1>
        </header>
        {loadError ? (
          <div className="banner banner-error" role="alert">
            {loadError}
            <button type="button" onClick={() => void loadSettings(api)}>
              Retry
            </button>
          </div>
        ) : (
          <p className="screen-message" role="status">
            <span className="spinner" aria-hidden="true" /> Loading settings…
          </p>
        )}
      </div>
    );
  }

  return (
    <form className="screen form-screen" onSubmit={onSubmit} noValidate>
      <header className="screen-header">
        <h1>Settings</h1>
      </header>
      <div className="screen-body">
        <section className="form-section" aria-labelledby="st-provider">
          <h2 id="st-provider">Provider</h2>
          <p className="muted small">Any OpenAI-compatible endpoint: OpenAI, OpenRouter, a local server.</p>
          <Field label="Base URL" type="url" value={draft.baseUrl} error={errors.baseUrl} onChange={(v) => editField('baseUrl', v)} placeholder="https://api.openai.com/v1" />
          <ApiKeyField api={api} saved={saved} value={draft.apiKey} error={errors.apiKey} baseUrl={draft.baseUrl} />
          <div className="two-columns">
            <Field label="Root model" value={draft.rootModel} error={errors.rootModel} onChange={(v) => editField('rootModel', v)} hint="Answers the query and writes the code" />
            <Field label="Sub model" value={draft.subModel} error={errors.subModel} onChange={(v) => editField('subModel', v)} hint="Answers the calls the code makes" />
          </div>
          <ConnectionCheck api={api} />
        </section>
        <section className="form-section" aria-labelledby="st-limits">
          <h2 id="st-limits">Default limits</h2>
          <p className="muted small">New runs start with these; each run can override them. Empty means no limit where one can be lifted.</p>
          <LimitsFields draft={draft.limits} errors={errors.limits} defaults={LIFTED_LIMITS} onChange={editDefaultLimit} />
          <SwitchField label="Deduplicate sub-calls" checked={draft.dedupeSubcalls} onChange={editDedupeDefault} hint={DEDUPE_HINT} />
        </section>
        <section className="form-section" aria-labelledby="st-prices">
          <h2 id="st-prices">Prices</h2>
          <p className="muted small">USD per million tokens. Your overrides win over the bundled table; a model with no price is shown as “cost unknown”, never $0.</p>
          <PriceOverrides rows={draft.prices} errors={errors.prices} />
          <BundledPrices prices={saved.defaultPrices} />
        </section>
      </div>
      <footer className="screen-footer">
        <SaveBar />
      </footer>
    </form>
  );
}
