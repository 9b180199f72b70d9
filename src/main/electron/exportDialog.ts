// The save dialog of "Export run" in the desktop app: the options (plain data, tested under Node)
// and the call (Electron's dialog, the one line this file cannot test). The file itself is written
// by the service (service/runExports.ts), never here.
import { join } from 'node:path';
import type { BrowserWindow, SaveDialogOptions } from 'electron';
import type { ExportFormat } from '../../shared/api/interop';
import type { ChooseExportPath } from '../service/runExports';

const FILTERS: Record<ExportFormat, { name: string; extensions: string[] }> = {
  rlmscope: { name: 'RLMScope portable run', extensions: ['rlmscope'] },
  otlp: { name: 'OpenTelemetry traces (OTLP JSON)', extensions: ['json'] },
  rlms: { name: 'Reference library log (JSONL)', extensions: ['jsonl'] },
};

export function exportDialogOptions(offer: { fileName: string; format: ExportFormat }, folder: string): SaveDialogOptions {
  return {
    title: 'Export run',
    defaultPath: join(folder, offer.fileName),
    buttonLabel: 'Export',
    filters: [FILTERS[offer.format]],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}

type ShowSaveDialog = (window: BrowserWindow | null, options: SaveDialogOptions) => Promise<{ canceled: boolean; filePath?: string | undefined }>;

/** Asks with a dialog on `window()` (sheet on macOS), starting in `folder` (the Downloads folder). */
export function saveDialogChooser(show: ShowSaveDialog, window: () => BrowserWindow | null, folder: () => string): ChooseExportPath {
  return async (offer) => {
    const result = await show(window(), exportDialogOptions(offer, folder()));
    return result.canceled || !result.filePath ? null : result.filePath;
  };
}
