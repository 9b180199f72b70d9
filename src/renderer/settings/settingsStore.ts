// The Settings form and what the service said about it. The draft outlives the screen: leaving
// Settings with unsaved changes keeps them (the top bar marks them), and a reload asks first.
import { create } from 'zustand';
import type { RlmApi } from '../../shared/api';
import type { AppSettings, ConnectionReport } from '../../shared/domain/settings';
import { errorText } from '../api/errors';
import type { LimitKey } from '../common/limitsForm';
import {
  connectionCheckParams,
  draftFromSettings,
  hasSettingsErrors,
  isDirty,
  priceRow,
  validateSettings,
  type PriceField,
  type PriceRowDraft,
  type SettingsDraft,
  type SettingsErrors,
} from './settingsForm';

interface SettingsState {
  saved: AppSettings | null;
  draft: SettingsDraft | null;
  dirty: boolean;
  loadError: string | null;
  errors: SettingsErrors;
  saving: boolean;
  saveError: string | null;
  /** When the last save succeeded; cleared by the next edit. */
  savedAt: number | null;
  testing: boolean;
  report: ConnectionReport | null;
  testError: string | null;
  forgetting: boolean;
}

const noErrors = (): SettingsErrors => ({ limits: {}, prices: {} });

export const useSettings = create<SettingsState>(() => ({
  saved: null,
  draft: null,
  dirty: false,
  loadError: null,
  errors: noErrors(),
  saving: false,
  saveError: null,
  savedAt: null,
  testing: false,
  report: null,
  testError: null,
  forgetting: false,
}));

function setDraft(update: (draft: SettingsDraft) => SettingsDraft, clear: (errors: SettingsErrors) => SettingsErrors): void {
  useSettings.setState((s) => {
    if (!s.draft || !s.saved) return s;
    const draft = update(s.draft);
    return { draft, dirty: isDirty(draft, s.saved), errors: clear(s.errors), savedAt: null, saveError: null };
  });
}

/** Reads the settings, unless the form holds changes not saved yet (those are kept). */
export async function loadSettings(api: RlmApi): Promise<void> {
  if (useSettings.getState().dirty) return;
  try {
    const saved = await api.call('settings.get', {});
    if (useSettings.getState().dirty) return;
    useSettings.setState({ saved, draft: draftFromSettings(saved), loadError: null, errors: noErrors() });
  } catch (error) {
    useSettings.setState({ loadError: `The settings could not be read: ${errorText(error)}` });
  }
}

export function editField(field: 'baseUrl' | 'apiKey' | 'rootModel' | 'subModel', value: string): void {
  setDraft((d) => ({ ...d, [field]: value }), (e) => ({ ...e, [field]: undefined }));
}

/** The "Deduplicate sub-calls" default of new runs. */
export function editDedupeDefault(checked: boolean): void {
  setDraft((d) => ({ ...d, dedupeSubcalls: checked }), (e) => e);
}

export function editDefaultLimit(key: LimitKey, value: string): void {
  setDraft((d) => ({ ...d, limits: { ...d.limits, [key]: value } }), (e) => ({ ...e, limits: { ...e.limits, [key]: undefined } }));
}

export function editPrice(id: number, field: PriceField, value: string): void {
  setDraft(
    (d) => ({ ...d, prices: d.prices.map((row) => (row.id === id ? { ...row, [field]: value } : row)) }),
    (e) => ({ ...e, prices: { ...e.prices, [id]: { ...e.prices[id], [field]: undefined } } }),
  );
}

/** Adds a row; copying a bundled price the user already overrides adds nothing. */
export function addPriceRow(row: PriceRowDraft = priceRow()): void {
  setDraft((d) => (row.model && d.prices.some((r) => r.model.trim() === row.model) ? d : { ...d, prices: [...d.prices, row] }), (e) => e);
}

export function removePriceRow(id: number): void {
  setDraft((d) => ({ ...d, prices: d.prices.filter((row) => row.id !== id) }), (e) => e);
}

export function discardChanges(): void {
  const { saved } = useSettings.getState();
  if (saved) useSettings.setState({ draft: draftFromSettings(saved), dirty: false, errors: noErrors(), saveError: null });
}

export async function saveSettings(api: RlmApi): Promise<void> {
  const { draft } = useSettings.getState();
  if (!draft) return;
  const { patch, errors } = validateSettings(draft);
  if (hasSettingsErrors(errors)) {
    useSettings.setState({ errors, saveError: 'Some fields need fixing (marked above).' });
    return;
  }
  useSettings.setState({ saving: true, saveError: null, errors: noErrors() });
  try {
    const saved = await api.call('settings.update', patch);
    useSettings.setState({ saved, draft: draftFromSettings(saved), dirty: false, saving: false, savedAt: Date.now() });
  } catch (error) {
    useSettings.setState({ saving: false, saveError: `Not saved: ${errorText(error)}` });
  }
}

/** Forgets the stored key at once (there is nothing to type for it); other unsaved edits stay. */
export async function forgetKey(api: RlmApi): Promise<void> {
  useSettings.setState({ forgetting: true, saveError: null });
  try {
    const saved = await api.call('settings.update', { apiKey: null });
    useSettings.setState((s) => ({ saved, forgetting: false, dirty: s.draft ? isDirty(s.draft, saved) : false }));
  } catch (error) {
    useSettings.setState({ forgetting: false, saveError: `The key was not forgotten: ${errorText(error)}` });
  }
}

/** Tries the values in the form, saved or not. A failed connection is a report, not an error. */
export async function testConnection(api: RlmApi): Promise<void> {
  const { draft, testing } = useSettings.getState();
  if (!draft || testing) return;
  const { params, errors } = connectionCheckParams(draft);
  if (errors.baseUrl || errors.rootModel) {
    useSettings.setState((s) => ({ errors: { ...s.errors, ...errors }, report: null, testError: 'Fix the fields marked above to test them.' }));
    return;
  }
  useSettings.setState({ testing: true, report: null, testError: null });
  try {
    useSettings.setState({ report: await api.call('settings.testConnection', params), testing: false });
  } catch (error) {
    useSettings.setState({ testing: false, testError: errorText(error) });
  }
}
