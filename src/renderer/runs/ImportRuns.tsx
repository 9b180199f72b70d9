// Runs in from files: the "Import runs" button (a file picker) and files dropped on the runs list.
// Each file is sent with the uploads slice (purpose 'import': a portable file is gzip) and
// imported with interop.import, one file after another; a toast says how each went. The list
// refreshes by itself (the service emits app.runsChanged).
import { useCallback, useRef, useState } from 'react';
import type { RlmApi } from '../../shared/api';
import { errorText } from '../api/errors';
import { UploadIcon } from '../common/icons';
import { uploadBlob } from '../newRun/uploadFile';
import { showToast } from '../state/toastStore';
import { IMPORT_ACCEPT, importedText, importFailedText, importProgressText } from './importText';

/** Imports files one after the other; `progress` is the line to show while it works, or null. */
export function useImportRuns(api: RlmApi): { progress: string | null; importFiles(files: readonly File[]): void } {
  const [progress, setProgress] = useState<string | null>(null);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const importFiles = useCallback(
    (files: readonly File[]) => {
      queue.current = queue.current.then(async () => {
        for (const [index, file] of files.entries()) {
          const show = (sent: number) => setProgress(importProgressText(file.name, index, files.length, sent, file.size));
          show(0);
          try {
            const uploadId = await uploadBlob(api, file, { name: file.name, purpose: 'import', signal: new AbortController().signal, onProgress: show });
            setProgress(`Importing ${file.name}… reading the runs`);
            const result = await api.call('interop.import', { uploadId });
            showToast('info', importedText(file.name, result));
          } catch (error) {
            showToast('error', importFailedText(file.name, errorText(error)));
          }
        }
        setProgress(null);
      });
    },
    [api],
  );
  return { progress, importFiles };
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
