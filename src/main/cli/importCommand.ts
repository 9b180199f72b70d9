// `rlmscope import FILE...`: runs from files (the reference library's JSONL logs) into the
// database, each file on its own: a file that cannot be imported gets one line and a non-zero
// exit, and the others are still imported. Imported runs are never re-executed.
import { dirname, resolve } from 'node:path';
import { toErrorData } from '../../shared/errors';
import { importFile } from '../interop/importRuns';
import { PriceTable } from '../model/prices';
import { defaultDatabasePath } from '../paths';
import { DEFAULT_BASE_URL, DEFAULT_ROOT_MODEL, DEFAULT_SUB_MODEL } from '../settings/providerDefaults';
import type { SecretStore } from '../settings/secretStore';
import { SettingsFile } from '../settings/settingsFile';
import { closeDatabase, openDatabase } from '../store/database';
import { RunRepository } from '../store/runRepository';
import type { CommandOutput } from './commandOutput';
import { counted, runLine, summaryJson, terminalSafe } from './format';
import { ImportProgressLine } from './importProgress';
import type { ProgressStream } from './progress';

export interface ImportOptions {
  db?: string;
  json?: boolean;
  prices?: string;
}

/** Exit codes: 0 when every file was imported, 1 when some file could not be. */
export async function importCommand(files: string[], options: ImportOptions, out: CommandOutput, progressStream: ProgressStream = process.stderr): Promise<number> {
  const dbPath = options.db ?? defaultDatabasePath();
  const prices = await importPrices(dbPath, options.prices, (message) => out.stderr(`warning: ${message}`));
  const db = openDatabase(dbPath);
  const store = new RunRepository(db);
  const imported: ReturnType<typeof summaryJson>[] = [];
  let failed = 0;
  try {
    for (const file of files) {
      // Made at the first progress report, which carries the file's size.
      const progress: { line: ImportProgressLine | null } = { line: null };
      try {
        const result = await importFile(file, { store, prices }, {
          onProgress: ({ bytesRead, totalBytes }) => {
            progress.line ??= new ImportProgressLine(file, totalBytes, progressStream);
            progress.line.update(bytesRead);
          },
        });
        progress.line?.done();
        // The store writes each run's encoded index after it (nodeIndexChunks.ts); waited for
        // here, or closing the database would leave it to the first open of the run. A failure
        // loses nothing (the index reads live): the run is imported all the same.
        for (const run of result.runs) await store.cacheNodeIndex(run.runId).catch(() => 0);
        imported.push(...result.runs.map(summaryJson));
        const warned = result.warnings.length > 0 ? `, ${counted(result.warnings.length, 'warning')}` : '';
        const line = `${file}: ${counted(result.runs.length, 'run')} imported${warned}`;
        // With --json stdout holds the JSON alone; the per-file lines go to stderr.
        if (options.json) out.stderr(line);
        else await out.stdout(terminalSafe(`${[line, ...result.runs.map((run) => `  ${runLine(run)}`)].join('\n')}\n`));
        for (const warning of result.warnings) out.stderr(`warning: ${file}: ${warning}`);
      } catch (error) {
        progress.line?.done();
        failed++;
        // The message names the file already (importRuns.ts), as the user gave it or by its name.
        out.stderr(`rlmscope: ${toErrorData(error).message}`);
      }
    }
    if (options.json) await out.stdout(`${JSON.stringify({ runs: imported })}\n`);
  } finally {
    closeDatabase(db);
  }
  return failed > 0 ? 1 : 0;
}

/**
 * The prices of calls a log gives tokens but no cost for: the bundled table, the prices saved in
 * the page's settings (beside the database, as `run` reads them), then `--prices FILE`.
 * Read only: no settings file is written, and the key is never read (an import calls no model).
 */
async function importPrices(dbPath: string, pricesFile: string | undefined, onWarning: (message: string) => void): Promise<PriceTable> {
  const settings = SettingsFile.open({
    dir: dirname(resolve(dbPath)),
    secrets: NO_SECRETS,
    defaults: { baseUrl: DEFAULT_BASE_URL, rootModel: DEFAULT_ROOT_MODEL, subModel: DEFAULT_SUB_MODEL },
    onWarning,
    readOnly: true,
  });
  return PriceTable.load(pricesFile, settings.get().prices);
}

/** SECURITY: the import needs prices, not the key: its settings are opened without the key's store. */
const NO_SECRETS: SecretStore = {
  read: () => null,
  write: () => {
    throw new Error('an import stores no key');
  },
  description: 'none (import)',
};
