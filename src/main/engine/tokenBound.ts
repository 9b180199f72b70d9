// An upper bound on a request's input tokens without a tokenizer, for the budget (budget.ts).
//
// Why bytes bound tokens: the tokenizers of the models we call (OpenAI's o200k/cl100k, Llama 3,
// Qwen, Mistral's tekken: byte-level BPE; SentencePiece with byte fallback) turn text into tokens
// that each stand for at least one byte of its UTF-8 encoding, so a text of n bytes is at most n
// tokens. What the chat template adds around each message (role markers, separators: OpenAI
// counts 3-4 per message and 3 to prime the reply, Llama 3 about 5) and around the request (BOS,
// the default system line some templates add when there is none) is covered by the overheads.
// The bound is loose, about 4× on English text; BoundedPrefix tightens it for conversations.
import type { ChatMessage } from '../../shared/domain/node';

/** Template tokens one message may add. */
export const MESSAGE_OVERHEAD = 16;
/** Template tokens one request may add: BOS, reply priming, a default system line. */
export const REQUEST_OVERHEAD = 64;

/**
 * The leading messages of a conversation whose size the provider told us exactly: the previous
 * turn's prompt_tokens + completion_tokens cover its prompt and the reply that followed it.
 */
export interface BoundedPrefix {
  /** How many leading messages `tokens` covers (the previous prompt and the assistant reply). */
  messages: number;
  tokens: number;
}

function messageBound(message: ChatMessage): number {
  return Buffer.byteLength(message.content, 'utf8') + MESSAGE_OVERHEAD;
}

/**
 * At most how many input tokens these messages make. With a prefix, the reported count stands
 * for its messages — plus one message overhead (the reply's closing marker was not in its
 * completion count) and 1% for the reply being tokenized afresh as input, which can split it
 * differently from how it was generated.
 */
export function inputTokenBound(messages: readonly ChatMessage[], prefix?: BoundedPrefix): number {
  let total = REQUEST_OVERHEAD;
  let from = 0;
  if (prefix && prefix.messages <= messages.length && prefix.tokens > 0) {
    total += prefix.tokens + Math.ceil(prefix.tokens / 100) + MESSAGE_OVERHEAD;
    from = prefix.messages;
  }
  for (let i = from; i < messages.length; i++) total += messageBound(messages[i] as ChatMessage);
  return total;
}

/** UTF-8 bytes of a text: at most that many tokens of output were received (see the top). */
export function textTokenBound(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
