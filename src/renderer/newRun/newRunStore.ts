// The New run form, kept while the user looks elsewhere (a half-typed query and files already
// uploaded survive a visit to Settings). Uploads live in inputQueue.ts; this holds their state.
import { create } from 'zustand';
import type { RlmApi } from '../../shared/api';
import type { AppSettings } from '../../shared/domain/settings';
import { errorText } from '../api/errors';
import { emptyLimitsDraft, type LimitKey, type LimitsDraft } from '../common/limitsForm';
import type { InputEntry, StartErrors } from './inputEntries';

export interface NewRunState {
  query: string;
  pasted: string;
  /** null: follow the model of Settings (the field shows it); a string once the user typed. */
  rootModel: string | null;
  subModel: string | null;
  limits: LimitsDraft;
  /** null: follow the "Deduplicate sub-calls" default of Settings (the box shows it); a boolean once the user ticked it. */
  dedupeSubcalls: boolean | null;
  entries: InputEntry[];
  /** Ctrl+O or the menu asked for the file picker; the drop zone opens it when it shows. */
  pickerRequested: boolean;
  phase: 'editing' | 'waiting' | 'starting';
  errors: StartErrors;
  /** An error of runs.start that belongs to no field (provider errors, too large an input). */
  startError: string | null;
  settings: AppSettings | null;
  settingsError: string | null;
}

const initial = (): Omit<NewRunState, 'settings' | 'settingsError' | 'pickerRequested'> => ({
  query: '',
  pasted: '',
  rootModel: null,
  subModel: null,
  limits: emptyLimitsDraft(),
  dedupeSubcalls: null,
  entries: [],
  phase: 'editing',
  errors: {},
  startError: null,
});

export const useNewRun = create<NewRunState>(() => ({ ...initial(), pickerRequested: false, settings: null, settingsError: null }));

/** Edits a field, clearing its error (a stale complaint next to a fixed field misleads). */
export function editDraft(patch: Partial<Pick<NewRunState, 'query' | 'pasted' | 'rootModel' | 'subModel' | 'dedupeSubcalls'>>): void {
  useNewRun.setState((s) => {
    const errors = { ...s.errors };
    for (const key of Object.keys(patch)) delete errors[key as keyof StartErrors];
    return { ...patch, errors, startError: null };
  });
}

export function editLimit(key: LimitKey, value: string): void {
  useNewRun.setState((s) => {
    const limits = { ...s.errors.limits };
    delete limits[key];
    return { limits: { ...s.limits, [key]: value }, errors: { ...s.errors, limits } };
  });
}

export function updateEntry(id: string, patch: Partial<InputEntry> | ((entry: InputEntry) => Partial<InputEntry>)): void {
  useNewRun.setState((s) => ({
    entries: s.entries.map((e) => (e.id === id ? { ...e, ...(typeof patch === 'function' ? patch(e) : patch) } : e)),
  }));
}

export function requestFilePicker(): void {
  useNewRun.setState({ pickerRequested: true });
}

/** After a run started: a fresh form (the uploads now belong to the run). */
export function resetDraft(): void {
  useNewRun.setState(initial());
}

/** Reads the defaults shown in the form; the fields the user typed in keep their text. */
export async function loadSettings(api: RlmApi): Promise<void> {
  try {
    useNewRun.setState({ settings: await api.call('settings.get', {}), settingsError: null });
  } catch (error) {
    useNewRun.setState({ settingsError: `The defaults could not be read: ${errorText(error)}` });
  }
}
