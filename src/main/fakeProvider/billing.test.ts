// The fake provider's ledger: what a real provider would bill, per request.
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeProvider, type FakeHandler, type FakeProvider, type FakeReply } from './server';

let fake: FakeProvider | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const messages = [{ role: 'user' as const, content: 'x'.repeat(40) }]; // 10 prompt tokens
const script = (...replies: FakeReply[]): FakeHandler => (req) => replies[Math.min(req.index, replies.length - 1)] as FakeReply;
const client = (f: FakeProvider): OpenAI => new OpenAI({ baseURL: f.url, apiKey: 'k', maxRetries: 0 });

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  try {
    for await (const chunk of stream) void chunk;
  } catch {
    // a cut stream: what matters here is what the fake billed
  }
}

describe('fake provider billing', () => {
  it('bills prompt and completion of whole replies, cut to the output cap', async () => {
    fake = await startFakeProvider(script({ text: 'a'.repeat(80) }, { text: 'b'.repeat(80), usage: { prompt_tokens: 3, completion_tokens: 50 } }));
    const whole = await client(fake).chat.completions.create({ model: 'm', messages });
    const capped = await client(fake).chat.completions.create({ model: 'm', messages, max_tokens: 5 });
    expect(whole.choices[0]?.finish_reason).toBe('stop');
    expect(capped.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: 'b'.repeat(20) } });
    expect(capped.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 5 });
    expect(fake.ledger).toEqual([
      { index: 0, model: 'm', promptTokens: 10, cachedTokens: 0, completionTokens: 20, finish: 'stop' },
      { index: 1, model: 'm', promptTokens: 3, cachedTokens: 0, completionTokens: 5, finish: 'length' },
    ]);
  });

  it('bills what a cut stream sent, nothing for an error status, the prompt of a hung request', async () => {
    fake = await startFakeProvider(script({ cut: true, text: 'c'.repeat(100), afterChars: 20 }, { status: 429 }, { hang: true }));
    const f = fake;
    await drain(await client(f).chat.completions.create({ model: 'm', messages, stream: true }));
    await expect(client(f).chat.completions.create({ model: 'm', messages })).rejects.toMatchObject({ status: 429 });
    const controller = new AbortController();
    const hung = client(f).chat.completions.create({ model: 'm', messages }, { signal: controller.signal });
    await vi.waitFor(() => expect(f.requests).toHaveLength(3));
    controller.abort();
    await expect(hung).rejects.toThrow();
    await vi.waitFor(() => expect(f.ledger[1]?.finish).toBe('aborted'));
    expect(f.ledger).toEqual([
      { index: 0, model: 'm', promptTokens: 10, cachedTokens: 0, completionTokens: 5, finish: 'cut' },
      { index: 2, model: 'm', promptTokens: 10, cachedTokens: 0, completionTokens: 0, finish: 'aborted' },
    ]);
  });

  it('serves the ledger at GET /v1/ledger for tests that run it as its own process', async () => {
    fake = await startFakeProvider(() => ({ text: 'abcd', cost: 0.25 }));
    await client(fake).chat.completions.create({ model: 'm', messages });
    const response = await fetch(`${fake.url}/ledger`);
    expect(await response.json()).toEqual({ bills: [{ index: 0, model: 'm', promptTokens: 10, cachedTokens: 0, completionTokens: 1, cost: 0.25, finish: 'stop' }] });
  });
});
