// The bottom of Settings: whether the form is saved, and the buttons that save or discard it.
import { CheckIcon } from '../common/icons';
import { discardChanges, useSettings } from './settingsStore';

export function SaveBar() {
  const { dirty, saving, saveError, savedAt } = useSettings();
  return (
    <div className="action-bar">
      <div className="action-bar-status" role="status" aria-live="polite">
        {saveError && <p className="form-error">{saveError}</p>}
        {!saveError && savedAt !== null && !dirty && (
          <span className="saved-note">
            <CheckIcon /> Saved
          </span>
        )}
        {!saveError && dirty && <span className="muted">Unsaved changes</span>}
      </div>
      {dirty && (
        <button type="button" onClick={discardChanges} disabled={saving}>
          Discard changes
        </button>
      )}
      <button type="submit" className="primary" disabled={saving} aria-busy={saving || undefined}>
        {saving && <span className="spinner small on-accent" aria-hidden="true" />}
        Save settings
      </button>
    </div>
  );
}
