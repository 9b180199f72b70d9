// The `interop` slice of the RlmApi: runs in from files other tools wrote (the reference
// library's JSONL logs, portable files) and runs out to files (`interop.export`). The page sends a
// file with the uploads slice and names it by its upload id; only the desktop app may name a path
// (browser mode never reads the server's disk on the page's word, as runs.start). An export is
// never written to a path the page names either: the desktop app asks the user with a save
// dialog, and browser mode hands the page a one-time download link.
import { z } from 'zod';
import type { RunSummary } from '../domain/run';
import { runIdSchema, uploadIdSchema } from '../schemas';

export const importRunsSchema = z.union([
  z.strictObject({ uploadId: uploadIdSchema }),
  /** The desktop app only: refused in browser mode. */
  z.strictObject({ path: z.string().min(1).max(4096) }),
]);

/** The formats a run is exported in, as `rlmscope export --format` names them. */
export const EXPORT_FORMATS = ['rlmscope', 'otlp', 'rlms'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const exportFormatSchema = z.enum(EXPORT_FORMATS);

export const exportRunSchema = z.strictObject({ runId: runIdSchema, format: exportFormatSchema });

/** The file name an export is offered under: `<runId>.rlmscope`, `<runId>.otlp.json`, `<runId>.jsonl`. */
export function exportFileName(runId: string, format: ExportFormat): string {
  // A run id is the app's own (`r-…`) or an imported file's; anything a file name or a
  // Content-Disposition header cannot carry becomes `_`.
  const safe = runId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'run';
  return `${safe}${EXPORT_EXTENSIONS[format]}`;
}

const EXPORT_EXTENSIONS: Record<ExportFormat, string> = { rlmscope: '.rlmscope', otlp: '.otlp.json', rlms: '.jsonl' };

export const interopMethods = {
  'interop.import': importRunsSchema,
  'interop.export': exportRunSchema,
} as const;

/**
 * Where an export went. `download` (browser mode): the page fetches `url`, a one-time link on the
 * page's own server that streams the file (valid for a minute, and only with the page's cookie).
 * `saved` (desktop app): written whole to the path the user chose in the save dialog.
 * `cancelled` (desktop app): the user closed the dialog; nothing was written.
 * `partial`: the run was still going; the file holds what was recorded when the export began.
 */
export type ExportOutcome =
  | { kind: 'download'; url: string; fileName: string; partial: boolean }
  | { kind: 'saved'; path: string; fileName: string; bytes: number; partial: boolean }
  | { kind: 'cancelled' };

export interface InteropResults {
  /**
   * The runs imported, in the order of the file, each marked `origin: 'imported'` with the file's
   * name as `source`; `warnings`: lines skipped or read in part, each naming its line. A file
   * that is no log is refused (INVALID_INPUT, one line naming it) and changes nothing.
   * Emits `app.runsChanged` when runs were imported (and when an import was cancelled: runs
   * written whole before the cancel stay).
   */
  'interop.import': { runs: RunSummary[]; warnings: string[] };
  /** A run exported as `rlmscope export --format` would write it. NOT_FOUND for an unknown run. */
  'interop.export': ExportOutcome;
}
