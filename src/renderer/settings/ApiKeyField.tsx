// The API key: write-only. The field starts empty; what is stored is never shown back, only
// whether there is one and where the key in use comes from.
import type { RlmApi } from '../../shared/api';
import type { AppSettings } from '../../shared/domain/settings';
import { Field } from '../common/Field';
import { CheckIcon } from '../common/icons';
import { editField, forgetKey, useSettings } from './settingsStore';

function KeyState({ saved }: { saved: AppSettings }) {
  if (saved.apiKeyStored) {
    return (
      <span className="badge badge-success">
        <CheckIcon /> stored
      </span>
    );
  }
  if (saved.apiKeySource === 'environment') return <span className="badge">from OPENAI_API_KEY</span>;
  return <span className="badge badge-warning">no key</span>;
}

export function ApiKeyField({ api, saved, value, error, baseUrl }: { api: RlmApi; saved: AppSettings; value: string; error: string | undefined; baseUrl: string }) {
  const forgetting = useSettings((s) => s.forgetting);
  // A key belongs to the address it was saved for (the server forgets it when the base URL
  // changes without a new key, and never sends it elsewhere): say so before the user saves.
  const moved = baseUrl.trim() !== '' && baseUrl.trim().replace(/\/+$/, '') !== saved.baseUrl.replace(/\/+$/, '');
  const hint = moved && saved.apiKeySource !== 'none'
    ? `The ${saved.apiKeyStored ? 'stored key' : 'OPENAI_API_KEY key'} belongs to ${saved.baseUrl} and is not sent to another address. Type the key for the new base URL.`
    : saved.apiKeyStored
    ? 'A key is stored securely and never shown. Type a new one to replace it.'
    : saved.apiKeySource === 'environment'
      ? 'Runs use the key in the OPENAI_API_KEY environment variable. Type one to store it instead.'
      : 'Runs will be refused by providers that need a key.';
  return (
    <div className="api-key-row">
      <Field
        label="API key"
        type="password"
        value={value}
        error={error}
        autoComplete="new-password"
        placeholder={saved.apiKeyStored ? '•••••••• (stored)' : 'sk-…'}
        onChange={(v) => editField('apiKey', v)}
        hint={hint}
        aside={<KeyState saved={saved} />}
      />
      {saved.apiKeyStored && (
        <button type="button" className="forget-key" onClick={() => void forgetKey(api)} disabled={forgetting}>
          {forgetting ? 'Forgetting…' : 'Forget key'}
        </button>
      )}
    </div>
  );
}
