// Runs in from files: the "Import runs" button (a file picker) and files dropped on the runs list.
// Each file is sent with the uploads slice (purpose 'import': a portable file is gzip) and
// imported with interop.import, one file after another; a toast says how each went. Cancel
// aborts the upload and the import call (the service then keeps only runs written whole). The
// list refreshes by itself (the service emits app.runsChanged).
import { useCallback, useRef, useState } from 'react';
import type { RlmApi } from '../../shared/api';
import { errorText } from '../api/errors';
import { UploadIcon } from '../common/icons';
import { uploadBlob } from '../newRun/uploadFile';
import { showToast } from '../state/toastStore';
import { IMPORT_ACCEPT, IMPORT_CANCELLED, importedText, importFailedText, importProgressText } from './importText';

export interface ImportRuns {
  /** The line to show while files are imported, or null. */
  progress: string | null;
  importFiles(files: readonly File[]): void;
  /** Stops the upload or the import under way, and every file still waiting. */
  cancel(): void;
}

/** Imports files one after the other. */
export function useImportRuns(api: RlmApi): ImportRuns {
  const [progress, setProgress] = useState<string | null>(null);
  const queue = useRef<Promise<void>>(Promise.resolve());
  // One per batch of files (a pick or a drop); Cancel stops them all.
  const batches = useRef(new Set<AbortController>());
  const importFiles = useCallback(
    (files: readonly File[]) => {
      const batch = new AbortController();
      batches.current.add(batch);
      const { signal } = batch;
      queue.current = queue.current.then(async () => {
        for (const [index, file] of files.entries()) {
          if (signal.aborted) break;
          const show = (sent: number) => setProgress(importProgressText(file.name, index, files.length, sent, file.size));
          show(0);
          let uploadId: string | null = null;
          try {
            uploadId = await uploadBlob(api, file, { name: file.name, purpose: 'import', signal, onProgress: show });
            setProgress(`Importing ${file.name}… reading the runs`);
            // The signal goes to the service too: it stops reading the file, and keeps only runs
            // already written whole.
            const result = await api.call('interop.import', { uploadId }, { signal });
            showToast('info', importedText(file.name, result));
          } catch (error) {
            if (signal.aborted) {
              // Cancelled before the import took the file: the service need not keep it until it
              // expires. (One the import took is its own; the service then refuses this, harmlessly.)
              if (uploadId !== null) api.call('uploads.cancel', { uploadId }).catch(() => undefined);
              break;
            }
            showToast('error', importFailedText(file.name, errorText(error)));
          }
        }
        batches.current.delete(batch);
        if (signal.aborted) showToast('info', IMPORT_CANCELLED);
        setProgress(null);
      });
    },
    [api],
  );
  const cancel = useCallback(() => {
    for (const batch of batches.current) batch.abort();
  }, []);
  return { progress, importFiles, cancel };
}

export function CancelImportButton({ onCancel }: { onCancel(): void }) {
  return (
    // Named for what it cancels: the delete dialog's Cancel may be on the same screen.
    <button type="button" className="runs-import-cancel" aria-label="Cancel import" onClick={onCancel}>
      Cancel
    </button>
  );
}

export function ImportRunsButton({ busy, onFiles }: { busy: boolean; onFiles(files: File[]): void }) {
  return (
    <>
      <input
        id="import-runs"
        className="visually-hidden"
        type="file"
        multiple
        accept={IMPORT_ACCEPT}
        disabled={busy}
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = ''; // the same file can be picked again
          if (files.length > 0) onFiles(files);
        }}
      />
      <label htmlFor="import-runs" className="button runs-import" title="Import runs from the reference library's JSONL logs or portable .rlmscope files">
        <UploadIcon /> Import runs
      </label>
    </>
  );
}
