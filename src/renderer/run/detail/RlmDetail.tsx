// An RLM: what it was asked, the context it was given, how it ended, and its opening messages.
// Its context's documents open whole in the Input view.
import { memo, useMemo, useState } from 'react';
import type { ContextInfo, NodePayload } from '../../../shared/domain/node';
import type { InputDescription } from '../../../shared/domain/run';
import { formatBytes } from '../../../shared/formatBytes';
import { stopReasonText } from '../rowText';
import type { RunRepository } from '../runStore';
import { RawText } from '../text/RawText';
import { ReplyText } from '../text/ReplyText';
import { useRunState } from '../useRunState';
import { DetailSection, ErrorBlock } from './DetailParts';
import { InputView, type InputDocument } from './input/InputView';
import { MessageList } from './MessageList';

// Memoised on the payload (cached, so stable): a live run changes the RLM's row on every frame.
export const RlmDetail = memo(function RlmDetail({ store, nodeId, payload }: { store: RunRepository; nodeId: number; payload: NodePayload }) {
  const inputs = useRunState(store, (s) => s.run?.inputs);
  const documents = useMemo(() => contextDocuments(payload, inputs ?? [], nodeId), [payload, inputs, nodeId]);
  const [inputOpen, setInputOpen] = useState(false);
  return (
    <div className="node-body">
      {payload.notes && payload.notes.length > 0 && (
        <DetailSection title="Notes">
          {/* The engine's notes on an RLM (a fork that never reached its edit): first, as they change how the rest reads. */}
          <ul className="cell-notes">
            {payload.notes.map((note, i) => (
              <li key={i}>{note}</li>
            ))}
          </ul>
        </DetailSection>
      )}
      {payload.query !== undefined && (
        <DetailSection title="Query">
          <RawText text={payload.query} />
        </DetailSection>
      )}
      {payload.context && (
        <DetailSection title="Context">
          <ContextView context={payload.context} onOpen={documents.length > 0 ? () => setInputOpen(true) : undefined} />
          {documents.length > 0 && (
            <button type="button" className="open-input" aria-haspopup="dialog" onClick={() => setInputOpen(true)}>
              Open the input ({documents.length === 1 ? '1 document' : `${documents.length.toLocaleString('en-US')} documents`}
              {documents.every((d) => d.bytes !== undefined) ? `, ${formatBytes(documents.reduce((sum, d) => sum + (d.bytes ?? 0), 0))}` : ''})
            </button>
          )}
        </DetailSection>
      )}
      {payload.answer !== undefined && (
        <DetailSection title="Answer">
          <ReplyText text={payload.answer} prefKey={`${store.runId}/${nodeId}/answer`} limitChars={3000} limitLines={40} />
        </DetailSection>
      )}
      {payload.stopReason !== undefined && <p className="node-stop">Ended without its own answer: {stopReasonText(payload.stopReason)}.</p>}
      {/* A stop's message repeats its reason; an error is shown as one. */}
      {payload.error !== undefined && (payload.stopReason === undefined || payload.stopReason === 'error' || payload.error !== stopReasonText(payload.stopReason)) && <ErrorBlock text={payload.error} />}
      {payload.messages && (
        <DetailSection title="Messages">
          <MessageList messages={payload.messages} />
        </DetailSection>
      )}
      {inputOpen && documents.length > 0 && <InputView api={store.api} runId={store.runId} documents={documents} onClose={() => setInputOpen(false)} />}
    </div>
  );
});

/** The documents behind an RLM's context, named from the run's inputs (the root) or the context's names (a child). */
function contextDocuments(payload: NodePayload, inputs: readonly InputDescription[], nodeId: number): InputDocument[] {
  const byHash = new Map(inputs.map((input) => [input.hash, input]));
  const hashes = payload.documents ?? (nodeId === 1 ? inputs.map((input) => input.hash) : []);
  return hashes.map((hash, i) => {
    const input = byHash.get(hash);
    return { hash, name: input?.name ?? payload.context?.names?.[i] ?? `document ${i + 1}`, bytes: input?.bytes };
  });
}

function ContextView({ context, onOpen }: { context: ContextInfo; onOpen?: () => void }) {
  const names = context.names ?? [];
  // The preview is the start of the string, or of the first item: its real length is that value's.
  const previewOf = context.kind === 'string' ? context.length : context.itemLengths?.[0];
  return (
    <div className="context-info">
      <p>
        {context.kind === 'array' ? `An array of ${(context.items ?? names.length).toLocaleString('en-US')} strings` : 'A string'},{' '}
        {context.length.toLocaleString('en-US')} character{context.length === 1 ? '' : 's'}{context.split ? ', split into parts (too large for one string)' : ''}.
      </p>
      {names.length > 0 && (
        <ul className="context-names">
          {names.slice(0, 20).map((name, i) => (
            <li key={i}>
              {name}
              {context.itemLengths?.[i] !== undefined && <span className="run-muted"> ({context.itemLengths[i]?.toLocaleString('en-US')} chars)</span>}
            </li>
          ))}
          {names.length > 20 && <li className="run-muted">and {(names.length - 20).toLocaleString('en-US')} more</li>}
        </ul>
      )}
      {context.preview && <RawText text={context.preview} totalLength={previewOf} onShowWhole={onOpen} limitChars={600} limitLines={10} />}
    </div>
  );
}
