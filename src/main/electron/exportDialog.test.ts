import { describe, expect, it } from 'vitest';
import { exportDialogOptions, saveDialogChooser } from './exportDialog';

describe('the Export run save dialog', () => {
  it('starts in the folder with the run file name and only the format chosen', () => {
    expect(exportDialogOptions({ fileName: 'r-1.otlp.json', format: 'otlp' }, '/home/me/Downloads')).toEqual({
      title: 'Export run',
      defaultPath: '/home/me/Downloads/r-1.otlp.json',
      buttonLabel: 'Export',
      filters: [{ name: 'OpenTelemetry traces (OTLP JSON)', extensions: ['json'] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
  });

  it('answers the chosen path, or null when the dialog was cancelled or gave no path', async () => {
    const answers = [{ canceled: false, filePath: '/tmp/a.jsonl' }, { canceled: true, filePath: '/tmp/b.jsonl' }, { canceled: false, filePath: '' }];
    const shown: unknown[] = [];
    const choose = saveDialogChooser(
      async (window, options) => {
        shown.push([window, options.defaultPath]);
        return answers.shift() as { canceled: boolean; filePath?: string };
      },
      () => null,
      () => '/downloads',
    );
    expect(await choose({ fileName: 'r-1.jsonl', format: 'rlms' })).toBe('/tmp/a.jsonl');
    expect(await choose({ fileName: 'r-1.jsonl', format: 'rlms' })).toBeNull();
    expect(await choose({ fileName: 'r-1.jsonl', format: 'rlms' })).toBeNull();
    expect(shown).toEqual([[null, '/downloads/r-1.jsonl'], [null, '/downloads/r-1.jsonl'], [null, '/downloads/r-1.jsonl']]);
  });
});
