// "Test connection": tries the provider with the values in the form and shows what it found.
import type { RlmApi } from '../../shared/api';
import { AlertIcon, CheckIcon } from '../common/icons';
import { testConnection, useSettings } from './settingsStore';

export function ConnectionCheck({ api }: { api: RlmApi }) {
  const { testing, report, testError } = useSettings();
  return (
    <div className="connection-check">
      <button type="button" onClick={() => void testConnection(api)} disabled={testing} aria-busy={testing || undefined}>
        {testing && <span className="spinner small" aria-hidden="true" />}
        Test connection
      </button>
      <div className="connection-result" role="status" aria-live="polite">
        {testing && <span className="muted">Testing the values in the form…</span>}
        {report && (
          <div className={`report ${report.ok ? 'report-ok' : 'report-failed'}`}>
            <p>
              <strong>
                {report.ok ? <CheckIcon /> : <AlertIcon />} {report.ok ? 'Connected' : 'Failed'}
              </strong>
              <span className="muted"> · {Math.round(report.latencyMs)} ms</span>
            </p>
            <p className="report-message">{report.message}</p>
            {report.models.length > 0 && (
              <details className="report-models">
                <summary>
                  {report.models.length}
                  {report.models.length >= 200 ? '+' : ''} model{report.models.length === 1 ? '' : 's'} listed
                </summary>
                <p className="mono">{report.models.join(', ')}</p>
              </details>
            )}
          </div>
        )}
        {testError && <p className="form-error">{testError}</p>}
      </div>
    </div>
  );
}
