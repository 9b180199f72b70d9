// The run's query, models and status, its outcome (the answer, or why it stopped and where),
// the controls (none for an imported run, which was never executed here) and "Export run".
import { lastNodeWithStatus } from './treeModel';
import { namedBidiControls } from '../../shared/bidiControls';
import { bidiSafe } from './text/BidiSafe';
import { CollapsibleText } from './CollapsibleText';
import { ExportRunMenu } from './ExportRunMenu';
import { ForkOrigin } from './fork/ForkOrigin';
import { InputReading } from './InputReading';
import { RerunButton } from './fork/RerunRun';
import { ReplayOutcome, ReplayRunButton } from './ReplayRun';
import { RunControls } from './RunControls';
import { RunSignals } from './RunSignals';
import type { RunRepository } from './runStore';
import { stopReasonText } from './rowText';
import { useRunState } from './useRunState';
import { ValueDownload } from './ValueDownload';

export function RunHeader({ store }: { store: RunRepository }) {
  const run = useRunState(store, (s) => s.run);
  if (!run) {
    return (
      <header className="run-header">
        <p className="run-query run-muted">Loading run…</p>
        <span className="run-sr-only" role="status" aria-label="Run status">
          loading
        </span>
      </header>
    );
  }
  const model = store.state.getState().model;
  const failedNode = run.status === 'failed' && model ? lastNodeWithStatus(model.tree, 'failed') : null;
  // A stop (by the user, by a limit) carries its message as `error` too: said once, with the reason.
  const stopReason = run.stopReason !== 'error' ? run.stopReason : null;
  const imported = run.origin === 'imported';
  const stopDetail = stopReason !== null && run.error !== null && run.error !== stopReasonText(stopReason) ? run.error : null;
  return (
    <header className="run-header">
      <div className="run-heading">
        <h1 className="run-query" title={namedBidiControls(run.query)}>
          {bidiSafe(run.query)}
        </h1>
        <p className="run-meta">
          <span className={`run-status run-status-${run.status}`} role="status" aria-label="Run status">
            {run.status}
          </span>
          <RunSignals store={store} />
          <span>
            root <b>{bidiSafe(run.rootModel)}</b>
          </span>
          <span>
            sub <b>{bidiSafe(run.subModel)}</b>
          </span>
          {run.inputs.length > 0 && <span title={namedBidiControls(run.inputs.map((i) => i.name).join('\n'))}>{run.inputs.length === 1 ? bidiSafe(run.inputs[0]?.name ?? '') : `${run.inputs.length} inputs`}</span>}
        </p>
        <InputReading store={store} />
        {run.forkedFrom && <ForkOrigin api={store.api} runId={run.runId} origin={run.forkedFrom} />}
        {imported && (
          <p className="run-imported">
            Imported from <b>{run.source ? bidiSafe(run.source) : 'a file'}</b> — never re-executed
          </p>
        )}
        {!imported && run.replayable === false && (
          // A run recorded before exact replay is shown whole; only re-executing it cannot be exact.
          <p className="run-imported run-not-replayable" role="note" aria-label="Replay">
            Cannot be replayed exactly — {run.replayableWhy ?? 'its recording is incomplete'}
          </p>
        )}
      </div>
      <div className="run-actions">
        {!imported && <RunControls store={store} />}
        {/* Exact replay needs a complete recording of a run that has ended (DESIGN §11). */}
        {!imported && run.replayable !== false && run.status !== 'running' && run.status !== 'paused' && <ReplayRunButton store={store} />}
        {/* Shown for every native run, disabled (saying why) while it goes or when it cannot be re-executed. */}
        {!imported && <RerunButton store={store} />}
        <ExportRunMenu store={store} />
      </div>
      <ReplayOutcome store={store} />
      {(run.answer !== null || run.stopReason !== null || run.error !== null) && (
        <div className="run-outcome">
          {run.answer !== null && (
            <div className="run-answer">
              <span className="run-outcome-label">Answer</span>
              <CollapsibleText text={run.answer} limitChars={400} limitLines={3} />
              <ValueDownload api={store.api} runId={run.runId} field="answer" shownChars={run.answer.length} totalChars={run.answerChars} />
            </div>
          )}
          {stopReason !== null && (
            <p className="run-stop">
              <span className="run-outcome-label">Stopped</span> {stopReasonText(stopReason)}
              {stopDetail && <>: {bidiSafe(stopDetail)}</>}
            </p>
          )}
          {run.error !== null && stopReason === null && (
            <p className="run-error">
              <span className="run-outcome-label">Error</span> {bidiSafe(run.error)}{' '}
              {failedNode !== null && (
                <button type="button" className="run-link-button" onClick={() => store.select(failedNode)}>
                  Show where
                </button>
              )}
            </p>
          )}
        </div>
      )}
    </header>
  );
}
