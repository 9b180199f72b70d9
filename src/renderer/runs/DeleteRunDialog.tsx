// "Delete this run?" — the run, its nodes and payloads go for good. A run still going is
// refused by the service (RUN_ACTIVE); its message is shown in the dialog.
import { useEffect, useState } from 'react';
import type { RlmApi } from '../../shared/api';
import type { RunSummary } from '../../shared/domain/run';
import { errorText } from '../api/errors';
import { showToast } from '../state/toastStore';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { oneLine } from './runRowText';
import { deleteRun } from './runsStore';

export function DeleteRunDialog({ api, run, onClose }: { api: RlmApi; run: RunSummary | null; onClose(deleted: boolean): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setError(null), [run]);

  const confirm = async () => {
    if (!run) return;
    setBusy(true);
    setError(null);
    try {
      await deleteRun(api, run.runId);
      showToast('info', 'Run deleted');
      onClose(true);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const query = run ? oneLine(run.query) : '';
  return (
    <ConfirmDialog open={run !== null} title="Delete this run?" confirmLabel="Delete" busy={busy} error={error} onConfirm={() => void confirm()} onCancel={() => onClose(false)}>
      <p className="dialog-quote">{query.length > 200 ? `${query.slice(0, 199)}…` : query}</p>
      <p>The run, its steps and what they recorded are removed for good.</p>
    </ConfirmDialog>
  );
}
