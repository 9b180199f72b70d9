// The `interop` slice (src/shared/api/interop.ts): runs imported from files into the store, and
// runs exported to files (runExports.ts). A file the page sent is an upload, claimed for the
// import and deleted once it is read.
import type { interopMethods } from '../../shared/api/interop';
import { RlmError } from '../../shared/errors';
import { importFile, type FileImport } from '../interop/importRuns';
import type { RunRepository } from '../store/runRepository';
import type { EventBus } from './eventBus';
import type { SettingsSource } from './fixedSettings';
import type { Handlers } from './handlers';
import type { ChooseExportPath, RunExports } from './runExports';
import type { ServiceConfig } from './serviceConfig';
import type { Uploads } from './uploads';

export interface InteropHandlerDeps {
  store: RunRepository;
  uploads: Uploads;
  settings: SettingsSource;
  bus: EventBus;
  config: Pick<ServiceConfig, 'mode'>;
  exports: RunExports;
  /** The desktop app's save dialog (Electron main); absent elsewhere. */
  chooseExportPath?: ChooseExportPath;
}

export function interopHandlers({ store, uploads, settings, bus, config, exports, chooseExportPath }: InteropHandlerDeps): Handlers<keyof typeof interopMethods> {
  const importFrom = async (path: string, name: string | undefined, signal: AbortSignal): Promise<FileImport> => {
    // The prices as they are now, as a new run reads them at its start.
    const deps = { store, prices: settings.resolved().prices };
    const result = await importFile(path, deps, { ...(name !== undefined ? { name } : {}), signal });
    if (result.runs.length > 0) bus.emit({ type: 'app.runsChanged', runId: null });
    return result;
  };
  return {
    'interop.import': async (params, callerSignal) => {
      // The caller's cancel stops the read between lines; runs already written stay (each whole).
      const cancel = new AbortController();
      const onAbort = () => cancel.abort(callerSignal?.reason);
      if (callerSignal?.aborted) onAbort();
      callerSignal?.addEventListener('abort', onAbort, { once: true });
      try {
        return await importOne(params, cancel.signal);
      } catch (error) {
        // Runs are written as the file streams: those written whole before a cancel or a failure
        // (a full disk, an unreadable file) stay, and the runs list is told to look again. A file
        // refused as no log (INVALID_INPUT) is judged before anything is written: nothing changed.
        if (!(error instanceof RlmError && error.code === 'INVALID_INPUT')) bus.emit({ type: 'app.runsChanged', runId: null });
        throw error;
      } finally {
        callerSignal?.removeEventListener('abort', onAbort);
      }
    },
    'interop.export': async (request) => {
      switch (config.mode) {
        case 'browser':
          return exports.offerDownload(request);
        case 'desktop':
          if (!chooseExportPath) throw new RlmError('INTERNAL', 'the desktop app has no save dialog to export with');
          return exports.saveTo(request, chooseExportPath);
        default:
          throw new RlmError('INVALID_INPUT', `export from the command line: rlmscope export ${request.runId} --format ${request.format} -o FILE`);
      }
    },
  };

  async function importOne(params: { uploadId: string } | { path: string }, signal: AbortSignal): Promise<{ runs: FileImport['runs']; warnings: string[] }> {
    if ('path' in params) {
      // SECURITY: in browser mode the page sends its files (uploads); it may not name paths on
      // this machine (see runs.start in activeRuns.ts): a script injected into the page could
      // otherwise have any file the user can read parsed and stored where the page reads it.
      if (config.mode === 'browser') throw new RlmError('INVALID_INPUT', 'in browser mode, send the file from the page (drop or pick it); paths on the server are not read');
      const { runs, warnings } = await importFrom(params.path, undefined, signal);
      return { runs, warnings };
    }
    // Only an upload sent for import (uploads.begin's purpose): it skipped the text check that a
    // run's input passes, so it may be a portable file (gzip).
    const upload = uploads.received(params.uploadId, 'import');
    const claim = uploads.claim([params.uploadId], 'import');
    try {
      const { runs, warnings } = await importFrom(upload.path, upload.name, signal);
      return { runs, warnings };
    } finally {
      // Read whole or refused: either way the upload has served its purpose.
      await claim.release().catch(() => undefined);
    }
  }
}
