// Chat messages (a prompt, an RLM's system and first user message), each collapsed when long.
import { memo } from 'react';
import type { ChatMessage } from '../../shared/domain';
import { CollapsibleText } from './CollapsibleText';

export const MessageList = memo(function MessageList({ messages }: { messages: readonly ChatMessage[] }) {
  if (messages.length === 0) return <p className="run-muted">No messages.</p>;
  return (
    <ol className="message-list">
      {messages.map((message, i) => (
        <li key={i} className={`message message-${message.role}`}>
          <span className="message-role">{message.role}</span>
          {/* A system prompt is long and the same every time: it starts shorter still. */}
          <CollapsibleText text={message.content} as="markdown" limitChars={message.role === 'system' ? 600 : 2500} limitLines={message.role === 'system' ? 8 : 40} />
        </li>
      ))}
    </ol>
  );
});
