// Chat messages (a prompt, an RLM's system and first user message), exactly as they were sent,
// each cut when long. Never rendered as markdown (DESIGN §7): an earlier reply among them keeps
// its code highlighted, nothing more.
import { memo } from 'react';
import type { ChatMessage } from '../../../shared/domain/node';
import { RawText } from '../text/RawText';
import { HighlightedText } from '../text/ReplyText';

const highlighted = (shown: string) => <HighlightedText text={shown} />;

export const MessageList = memo(function MessageList({ messages }: { messages: readonly ChatMessage[] }) {
  if (messages.length === 0) return <p className="run-muted">No messages.</p>;
  return (
    <ol className="message-list">
      {messages.map((message, i) => (
        <li key={i} className={`message message-${message.role}`}>
          <span className="message-role">{message.role}</span>
          {/* A system prompt is long and the same every time: it starts shorter still. */}
          <RawText
            text={message.content}
            limitChars={message.role === 'system' ? 600 : 2500}
            limitLines={message.role === 'system' ? 8 : 40}
            render={message.role === 'assistant' ? highlighted : undefined}
          />
        </li>
      ))}
    </ol>
  );
});
