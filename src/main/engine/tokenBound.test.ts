import { describe, expect, it } from 'vitest';
import { inputTokenBound, MESSAGE_OVERHEAD, REQUEST_OVERHEAD, textTokenBound } from './tokenBound';

const user = (content: string) => ({ role: 'user' as const, content });
const assistant = (content: string) => ({ role: 'assistant' as const, content });

describe('input token bound', () => {
  it('counts UTF-8 bytes, not characters, plus the template overheads', () => {
    // "é" is 2 bytes, "語" 3, "😀" 4: a byte-level tokenizer can spend a token on each byte.
    expect(inputTokenBound([user('aé語😀')])).toBe(REQUEST_OVERHEAD + MESSAGE_OVERHEAD + 1 + 2 + 3 + 4);
    expect(textTokenBound('aé語😀')).toBe(10);
  });

  it('takes the reported size of a conversation prefix, and bounds only the messages after it', () => {
    const long = 'x'.repeat(40_000);
    const messages = [user(long), assistant('reply'), user('next')];
    const loose = inputTokenBound(messages);
    const tight = inputTokenBound(messages, { messages: 2, tokens: 10_010 });
    expect(loose).toBe(REQUEST_OVERHEAD + 3 * MESSAGE_OVERHEAD + 40_000 + 5 + 4);
    // 10,010 reported, 1% of it for re-tokenizing the reply, one message overhead for its end marker.
    expect(tight).toBe(REQUEST_OVERHEAD + 10_010 + 101 + MESSAGE_OVERHEAD + MESSAGE_OVERHEAD + 4);
    expect(tight).toBeLessThan(loose / 3);
  });

  it('ignores a prefix that claims more messages than there are', () => {
    const messages = [user('abc')];
    expect(inputTokenBound(messages, { messages: 5, tokens: 1 })).toBe(inputTokenBound(messages));
  });
});
