// A model call: the messages it was sent and its reply, live while it streams.
import type { ReactNode } from 'react';
import type { NodePayload, NodeRow } from '../../../shared/domain/node';
import { ReplyText } from '../text/ReplyText';
import type { RunRepository } from '../runStore';
import { useRunState } from '../useRunState';
import { MessageList } from './MessageList';
import { DetailSection, ErrorBlock } from './DetailParts';

interface LlmDetailProps {
  store: RunRepository;
  node: NodeRow;
  payload: NodePayload;
  refreshing: boolean;
  /** "Fork from here", beside the reply. */
  forkAction?: ReactNode;
  /** The reply being edited for a fork, shown instead of the recorded reply. */
  forkEditor?: ReactNode;
}

export function LlmDetail({ store, node, payload, refreshing, forkAction, forkEditor }: LlmDetailProps) {
  // Stream records are replaced on every delta, so this re-renders only for this call's text.
  const stream = useRunState(store, (s) => s.model?.streams.get(node.id) ?? null);
  const running = node.status === 'running';
  return (
    <div className="node-body">
      <DetailSection title={node.purpose === 'sub' ? 'Prompt' : 'Messages sent'}>
        <MessageList messages={payload.prompt ?? []} />
      </DetailSection>
      <DetailSection title={running ? 'Reply (streaming)' : forkEditor ? 'Reply (edited for a fork)' : 'Reply'} action={forkEditor || running ? undefined : forkAction}>
        {forkEditor && !running ? (
          forkEditor
        ) : running ? (
          <div aria-live="off">
            {stream?.partial && <p className="run-muted">The start of this reply streamed before this page opened.</p>}
            {/* Plain while it streams: colouring code that changes every frame would only flicker. */}
            <pre className="raw-text reply-live">{stream?.text || payload.text || '…'}</pre>
          </div>
        ) : payload.text !== undefined ? (
          <ReplyText text={payload.text} prefKey={`${store.runId}/${node.id}/reply`} />
        ) : (
          // The call just ended: its streamed text is gone and the stored reply is on its way.
          <p className="run-muted">{refreshing ? 'Loading the reply…' : 'No reply.'}</p>
        )}
      </DetailSection>
      {payload.error !== undefined && <ErrorBlock text={payload.error} />}
    </div>
  );
}
