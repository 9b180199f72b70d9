// The `interop` slice of the RlmApi: runs in from files other tools wrote (the reference
// library's JSONL logs today). The page sends the file with the uploads slice and names it by
// its upload id; only the desktop app may name a path (browser mode never reads the server's
// disk on the page's word, as runs.start).
import { z } from 'zod';
import type { RunSummary } from '../domain/run';
import { uploadIdSchema } from '../schemas';

export const importRunsSchema = z.union([
  z.strictObject({ uploadId: uploadIdSchema }),
  /** The desktop app only: refused in browser mode. */
  z.strictObject({ path: z.string().min(1).max(4096) }),
]);

export const interopMethods = {
  'interop.import': importRunsSchema,
} as const;

export interface InteropResults {
  /**
   * The runs imported, in the order of the file, each marked `origin: 'imported'` with the file's
   * name as `source`; `warnings`: lines skipped or read in part, each naming its line. A file
   * that is no log is refused (INVALID_INPUT, one line naming it) and changes nothing.
   * Emits `app.runsChanged` when runs were imported.
   */
  'interop.import': { runs: RunSummary[]; warnings: string[] };
}
