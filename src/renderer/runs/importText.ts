// What the runs list says about files imported from its "Import runs" button or a drop: one line
// per file, whether it worked or not.
import type { RunSummary } from '../../shared/domain/run';

/** The files the picker offers: the reference library's JSONL logs and portable files. */
export const IMPORT_ACCEPT = '.jsonl,.rlmscope';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "6 runs imported from FILE", with the warnings' count when lines were skipped or read in part. */
export function importedText(fileName: string, result: { runs: readonly RunSummary[]; warnings: readonly string[] }): string {
  const done = `${plural(result.runs.length, 'run')} imported from ${fileName}`;
  return result.warnings.length > 0 ? `${done} (${plural(result.warnings.length, 'warning')}: ${result.warnings[0]}${result.warnings.length > 1 ? ' …' : ''})` : done;
}

/** The toast after Cancel. */
export const IMPORT_CANCELLED = 'Import cancelled';

/** One line for a file that was not imported: the service's message, which usually names the file already. */
export function importFailedText(fileName: string, message: string): string {
  return `Not imported: ${message.startsWith(fileName) ? message : `${fileName}: ${message}`}`;
}

/** "Importing FILE… 45%" (and which file of how many, when several were picked). */
export function importProgressText(fileName: string, index: number, count: number, sent: number, bytes: number): string {
  const percent = bytes > 0 ? Math.floor((sent / bytes) * 100) : 100;
  const which = count > 1 ? ` (${index + 1} of ${count})` : '';
  return `Importing ${fileName}${which}… ${percent}%`;
}
