// Making imported nodes, and the one-line labels the tree shows for them.
import type { ChatMessage } from '../../../shared/domain/node';
import { ellipsize, wellFormed } from '../../../shared/ellipsize';
import type { ImportedNode } from './types';

export function newNode(kind: ImportedNode['kind'], at: number, model: string | null, label: string): ImportedNode {
  return {
    kind,
    status: 'completed',
    startedAt: at,
    endedAt: at,
    label,
    model,
    purpose: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    payload: {},
    children: [],
  };
}

export function lastText(prompt: ChatMessage[]): string {
  return prompt[prompt.length - 1]?.content ?? '';
}

export /** The question, when the library was given a `root_prompt`: "Answer the following: {q}\n\nYour context is…". */
function queryFromMessages(messages: ChatMessage[]): string | null {
  for (const message of messages) {
    const match = /^Answer the following: ([\s\S]*?)\n\nYour context is/.exec(message.content);
    if (match) return match[1] ?? null;
  }
  return null;
}

/** One line for the tree: the first line with words, at most 120 characters. */
export function labelOf(text: string): string {
  // Only the start is looked at: a reply or a prompt may be megabytes long.
  // A reply that opens with its code says more by its first line of code than by "```repl".
  const lines = text.slice(0, 4096).split('\n').filter((l) => l.trim() !== '');
  const line = lines.find((l) => !l.trimStart().startsWith('```')) ?? lines[0] ?? '';
  const trimmed = line.trim();
  return wellFormed(ellipsize(trimmed, 120));
}
