// The run the run view has open, as far as app-wide commands need to know it: the Stop shortcut
// (Ctrl+. or the desktop menu's Stop Run) does nothing on an imported run, which was never
// executed here and has no controls. Set by the run view once the run has loaded.
import { create } from 'zustand';

interface OpenRunState {
  runId: string | null;
  imported: boolean;
}

export const useOpenRun = create<OpenRunState>(() => ({ runId: null, imported: false }));

/** The run view has `runId` open; returns what forgets it again (when the view closes). */
export function setOpenRun(runId: string, imported: boolean): () => void {
  useOpenRun.setState({ runId, imported });
  return () => {
    if (useOpenRun.getState().runId === runId) useOpenRun.setState({ runId: null, imported: false });
  };
}

/** Whether the open run `runId` is known to be imported (not yet loaded: not known, so false). */
export function isImportedRun(runId: string): boolean {
  const open = useOpenRun.getState();
  return open.runId === runId && open.imported;
}
