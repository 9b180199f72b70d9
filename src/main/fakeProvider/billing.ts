// What the fake provider "bills", the way a real one does: the prompt of every request it took
// on, and the completion tokens it generated and sent — a capped reply only up to its cap, a cut
// or aborted stream only what went out. Tests compare this ledger with what a run recorded.
import type { FakeRequest, FakeTextReply } from './exchange';

export interface FakeBill {
  /** The request's index (FakeRequest.index). */
  index: number;
  model: string;
  promptTokens: number;
  cachedTokens: number;
  /** Grows as a stream is sent. */
  completionTokens: number;
  /** usage.cost as the reply reported it (OpenRouter style), if it did. */
  cost?: number;
  /** 'open' until the reply ends: 'stop' or 'length' when sent whole, 'cut' or 'aborted' when not. */
  finish: 'open' | 'stop' | 'length' | 'cut' | 'aborted';
}

/** The fake's tokenizer: four characters a token, as its estimated usage has always said. */
export const tokensOf = (chars: number): number => Math.ceil(chars / 4);

export function promptTokensOf(request: FakeRequest): number {
  return tokensOf(request.messages.reduce((sum, m) => sum + m.content.length, 0));
}

/** A text reply as the fake sends it: cut to the request's output cap, with the tokens it bills. */
export interface ShapedReply {
  text: string;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  finishReason: 'stop' | 'length';
}

export function shapeReply(request: FakeRequest, reply: FakeTextReply): ShapedReply {
  const given = reply.usage || undefined;
  const promptTokens = given?.prompt_tokens ?? promptTokensOf(request);
  const cachedTokens = given?.cached_tokens ?? 0;
  const completionTokens = given?.completion_tokens ?? tokensOf(reply.text.length);
  const cap = request.maxOutputTokens;
  if (cap === null || completionTokens <= cap) return { text: reply.text, promptTokens, cachedTokens, completionTokens, finishReason: 'stop' };
  // A real model stops generating at the cap: the reply ends there, finish_reason "length".
  const chars = Array.from(reply.text).slice(0, cap * 4).join('');
  return { text: chars, promptTokens, cachedTokens, completionTokens: cap, finishReason: 'length' };
}

/** The tokens of a reply of which only sentChars characters went out. */
export function partialTokens(shaped: ShapedReply, sentChars: number): number {
  if (sentChars >= shaped.text.length) return shaped.completionTokens;
  return Math.min(shaped.completionTokens, tokensOf(sentChars));
}
