// "N MB, download" for a run value too long to show (issue 9): the run carries a preview and the
// true length; the whole value is read through the contract page by page (runs.readValue, the
// same in the desktop app and browser mode) and saved as a file. No page holds more than one
// page of it as a string; the file is assembled by the browser as a Blob.
import { useState } from 'react';
import type { RlmApi } from '../../shared/api';
import { describeSize, VALUE_PAGE_CHARS_MAX, type RunValueField } from '../../shared/valuePreview';

export function ValueDownload({ api, runId, field, shownChars, totalChars }: { api: RlmApi; runId: string; field: RunValueField; shownChars: number; totalChars: number | null | undefined }) {
  const [state, setState] = useState<{ busy: boolean; done: number; error: string | null }>({ busy: false, done: 0, error: null });
  if (totalChars === null || totalChars === undefined || totalChars <= shownChars) return null;
  const download = async () => {
    setState({ busy: true, done: 0, error: null });
    try {
      const parts: string[] = [];
      for (let offset = 0; offset < totalChars; offset += VALUE_PAGE_CHARS_MAX) {
        const page = await api.call('runs.readValue', { runId, field, offset });
        parts.push(page.text);
        setState({ busy: true, done: Math.min(totalChars, offset + VALUE_PAGE_CHARS_MAX), error: null });
        if (page.text.length === 0) break;
      }
      const url = URL.createObjectURL(new Blob(parts, { type: 'text/plain;charset=utf-8' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `${runId}-${field}.txt`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setState({ busy: false, done: 0, error: null });
    } catch (error) {
      setState({ busy: false, done: 0, error: error instanceof Error ? error.message : String(error) });
    }
  };
  return (
    <p className="run-value-cut">
      Showing the first {shownChars.toLocaleString('en-US')} of {totalChars.toLocaleString('en-US')} characters ({describeSize(totalChars)}).{' '}
      <button type="button" className="run-link-button" onClick={() => void download()} disabled={state.busy}>
        {state.busy ? `Downloading… ${Math.floor((state.done / totalChars) * 100)}%` : `Download the whole ${field} (${describeSize(totalChars)})`}
      </button>
      {state.error !== null && <span role="alert"> Download failed: {state.error}</span>}
    </p>
  );
}
