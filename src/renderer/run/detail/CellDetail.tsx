// A code cell: the code (in Monaco), what it printed, what went wrong, the engine's notes.
import { memo, type ReactNode } from 'react';
import type { ReplayDivergence } from '../../../shared/api/debugger';
import type { NodePayload } from '../../../shared/domain/node';
import type { CodeEditorHost } from '../codeEditor';
import { RawText } from '../text/RawText';
import { CodeView } from './CodeView';
import { DetailSection, ErrorBlock } from './DetailParts';

interface CellDetailProps {
  payload: NodePayload;
  editor: CodeEditorHost;
  divergence?: ReplayDivergence | null;
  /** "Fork from here", beside the code. */
  forkAction?: ReactNode;
  /** The code being edited for a fork, shown instead of the recorded code. */
  forkEditor?: ReactNode;
}

export const CellDetail = memo(function CellDetail({ payload, editor, divergence = null, forkAction, forkEditor }: CellDetailProps) {
  return (
    <div className="node-body">
      {divergence && (
        <DetailSection title="Replay diverged">
          <div className="replay-sides" role="group" aria-label="Replay: expected and actual">
            <div className="replay-side">
              <h4>Expected (recorded)</h4>
              <RawText text={divergence.expected} limitChars={4000} limitLines={60} className="cell-output" />
            </div>
            <div className="replay-side">
              <h4>Actual (replayed)</h4>
              <RawText text={divergence.actual} limitChars={4000} limitLines={60} className="cell-output" />
            </div>
          </div>
        </DetailSection>
      )}
      <DetailSection title={forkEditor ? 'Code (edited for a fork)' : 'Code'} action={forkEditor ? undefined : forkAction}>
        {forkEditor ?? <CodeView code={payload.code ?? ''} language={payload.language ?? 'javascript'} editor={editor} />}
      </DetailSection>
      {payload.error !== undefined && <ErrorBlock text={payload.error} />}
      <DetailSection title="Output">
        {payload.output ? <RawText text={payload.output} limitChars={4000} limitLines={60} className="cell-output" /> : <p className="run-muted">No output.</p>}
      </DetailSection>
      {payload.notes && payload.notes.length > 0 && (
        <DetailSection title="Notes">
          <ul className="cell-notes">
            {payload.notes.map((note, i) => (
              <li key={i}>{note}</li>
            ))}
          </ul>
        </DetailSection>
      )}
    </div>
  );
});
