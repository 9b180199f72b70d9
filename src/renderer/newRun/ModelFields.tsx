// Root and sub model of the new run, prefilled from Settings; the provider is Settings' own.
import type { AppSettings } from '../../shared/domain/settings';
import { Field } from '../common/Field';
import { editDraft, useNewRun } from './newRunStore';

function keyText(settings: AppSettings): string {
  if (settings.apiKeySource === 'stored') return 'API key stored';
  if (settings.apiKeySource === 'environment') return 'API key from OPENAI_API_KEY';
  return 'no API key';
}

export function ModelFields({ settings }: { settings: AppSettings | null }) {
  const { rootModel, subModel, errors } = useNewRun();
  const known = settings ? [...new Set([...Object.keys(settings.prices), ...Object.keys(settings.defaultPrices)])].sort() : [];
  return (
    <>
      <p className="provider-line muted">
        {settings ? (
          <>
            Provider <span className="mono">{settings.baseUrl}</span> · {keyText(settings)} · <a href="#/settings">change in Settings</a>
          </>
        ) : (
          'Reading the defaults…'
        )}
      </p>
      <div className="two-columns">
        <Field label="Root model" value={rootModel ?? settings?.rootModel ?? ''} list="known-models" error={errors.rootModel} onChange={(v) => editDraft({ rootModel: v })} hint="Answers the query and writes the code" />
        <Field label="Sub model" value={subModel ?? settings?.subModel ?? ''} list="known-models" error={errors.subModel} onChange={(v) => editDraft({ subModel: v })} hint="Answers the calls the code makes" />
      </div>
      <datalist id="known-models">
        {known.map((model) => (
          <option key={model} value={model} />
        ))}
      </datalist>
    </>
  );
}
