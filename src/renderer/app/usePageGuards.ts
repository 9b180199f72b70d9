// Two things a page must not do by accident: lose unsaved settings or uploads in progress to a
// reload or a closed tab (the browser asks first), and open a file dropped outside the drop zone
// in place of the app (the browser's default for a drop of files; dropped text still lands in
// the field under it).
import { useEffect } from 'react';
import { isActive } from '../newRun/inputEntries';
import { useNewRun } from '../newRun/newRunStore';
import { useSettings } from '../settings/settingsStore';

export function usePageGuards(): void {
  useEffect(() => {
    const beforeUnload = (event: BeforeUnloadEvent) => {
      const unsaved = useSettings.getState().dirty;
      const uploading = useNewRun.getState().entries.some(isActive);
      if (unsaved || uploading) event.preventDefault();
    };
    const swallowDrop = (event: DragEvent) => {
      if (event.defaultPrevented || !event.dataTransfer?.types.includes('Files')) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'none';
    };
    window.addEventListener('beforeunload', beforeUnload);
    window.addEventListener('dragover', swallowDrop);
    window.addEventListener('drop', swallowDrop);
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      window.removeEventListener('dragover', swallowDrop);
      window.removeEventListener('drop', swallowDrop);
    };
  }, []);
}
