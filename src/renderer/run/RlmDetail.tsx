// An RLM: what it was asked, the context it was given, how it ended, and its opening messages.
import { memo } from 'react';
import type { ContextInfo, NodePayload } from '../../shared/domain';
import { CollapsibleText } from './CollapsibleText';
import { DetailSection, ErrorBlock } from './DetailParts';
import { MessageList } from './MessageList';
import { stopReasonText } from './rowText';

// Memoised on the payload (cached, so stable): a live run changes the RLM's row on every frame.
export const RlmDetail = memo(function RlmDetail({ payload }: { payload: NodePayload }) {
  return (
    <div className="node-body">
      {payload.query !== undefined && (
        <DetailSection title="Query">
          <CollapsibleText text={payload.query} />
        </DetailSection>
      )}
      {payload.context && (
        <DetailSection title="Context">
          <ContextView context={payload.context} />
        </DetailSection>
      )}
      {payload.answer !== undefined && (
        <DetailSection title="Answer">
          <CollapsibleText text={payload.answer} as="markdown" />
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
    </div>
  );
});

function ContextView({ context }: { context: ContextInfo }) {
  const names = context.names ?? [];
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
      {context.preview && <CollapsibleText text={context.preview} as="mono" limitChars={600} limitLines={10} />}
    </div>
  );
}
