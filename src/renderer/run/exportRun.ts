// What "Export run" does once a format is picked, outside React: ask the service
// (`interop.export`), follow a browser-mode download link, and say in one line how it went.
import type { RlmApi } from '../../shared/api';
import type { ExportFormat, ExportOutcome } from '../../shared/api/interop';
import { errorText } from '../api/errors';

export interface ExportChoice {
  format: ExportFormat;
  label: string;
  hint: string;
}

/** The formats of `rlmscope export --format`, as the menu offers them. */
export const EXPORT_CHOICES: readonly ExportChoice[] = [
  { format: 'rlmscope', label: 'Portable file (.rlmscope)', hint: 'the whole run and its documents; rlmscope import restores it' },
  { format: 'otlp', label: 'OpenTelemetry spans (.otlp.json)', hint: 'for Phoenix, Langfuse or any OTLP backend' },
  { format: 'rlms', label: 'Reference library log (.jsonl)', hint: "the rlms library's format, for its visualizer" },
];

export const PARTIAL_NOTE = 'The run is still going: the file holds what is recorded so far.';

/** One line for the toast, or null when there is nothing to say (the save dialog was cancelled). */
export function exportedText(outcome: ExportOutcome): string | null {
  const partial = outcome.kind !== 'cancelled' && outcome.partial ? ` — ${PARTIAL_NOTE}` : '';
  switch (outcome.kind) {
    case 'download':
      return `Downloading ${outcome.fileName}${partial}`;
    case 'saved':
      return `Exported to ${outcome.path}${partial}`;
    case 'cancelled':
      return null;
  }
}

export function exportFailedText(message: string): string {
  return `Not exported: ${message}`;
}

/**
 * Follows a download link the way a user's click would: the browser streams the file to disk as
 * it arrives (never into the page's memory), under the name the server gives it.
 */
export function followDownload(url: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}

export interface ExportDeps {
  follow(url: string, fileName: string): void;
  toast(kind: 'info' | 'error', message: string): void;
}

/** Exports the run; every outcome, failures included, ends in at most one toast. */
export async function exportRun(api: Pick<RlmApi, 'call'>, runId: string, format: ExportFormat, deps: ExportDeps): Promise<void> {
  let outcome: ExportOutcome;
  try {
    outcome = await api.call('interop.export', { runId, format });
  } catch (error) {
    deps.toast('error', exportFailedText(errorText(error)));
    return;
  }
  if (outcome.kind === 'download') deps.follow(outcome.url, outcome.fileName);
  const text = exportedText(outcome);
  if (text !== null) deps.toast('info', text);
}
