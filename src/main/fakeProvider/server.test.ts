import OpenAI, { APIError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { firstUserMessage, lastUserMessage, startFakeProvider, turnIndex, type FakeProvider, type FakeRequest } from './server';

let fake: FakeProvider | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const client = (f: FakeProvider, apiKey = 'k'): OpenAI => new OpenAI({ baseURL: f.url, apiKey, maxRetries: 0 });

const conversation = [
  { role: 'system' as const, content: 'you are a test' },
  { role: 'user' as const, content: 'first question' },
  { role: 'assistant' as const, content: 'an answer' },
  { role: 'user' as const, content: 'second question' },
];

async function readStream(
  stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>,
): Promise<{ deltas: string[]; finish: string | null; usage: OpenAI.CompletionUsage | null; chunks: number; error?: unknown }> {
  const deltas: string[] = [];
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | null = null;
  let chunks = 0;
  try {
    for await (const chunk of stream) {
      chunks++;
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (choice?.delta.content) deltas.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
  } catch (error) {
    return { deltas, finish, usage, chunks, error };
  }
  return { deltas, finish, usage, chunks };
}

describe('fake provider', () => {
  it('streams text in chunkChars pieces, then finish_reason and usage', async () => {
    fake = await startFakeProvider(() => ({ text: 'abcdefghij', chunkChars: 4, usage: { prompt_tokens: 7, completion_tokens: 3, cached_tokens: 2 }, cost: 0.5 }));
    const stream = await client(fake).chat.completions.create({
      model: 'm1',
      messages: conversation,
      stream: true,
      stream_options: { include_usage: true },
    });
    const result = await readStream(stream);
    expect(result.error).toBeUndefined();
    expect(result.deltas).toEqual(['abcd', 'efgh', 'ij']);
    expect(result.finish).toBe('stop');
    expect(result.usage?.prompt_tokens).toBe(7);
    expect(result.usage?.completion_tokens).toBe(3);
    expect(result.usage?.prompt_tokens_details?.cached_tokens).toBe(2);
    expect((result.usage as unknown as { cost: number }).cost).toBe(0.5);
    const [req] = fake.requests;
    expect(req).toMatchObject({ index: 0, model: 'm1', stream: true, includeUsage: true });
    expect(req?.messages).toEqual(conversation);
    expect(req?.headers.authorization).toBe('Bearer k');
  });

  it('sends no usage chunk unless include_usage was asked for, and estimates usage by default', async () => {
    fake = await startFakeProvider(() => ({ text: 'x'.repeat(9) }));
    const plain = await readStream(await client(fake).chat.completions.create({ model: 'm', messages: conversation, stream: true }));
    expect(plain.usage).toBeNull();
    expect(plain.deltas.join('')).toBe('x'.repeat(9));
    const counted = await readStream(
      await client(fake).chat.completions.create({ model: 'm', messages: conversation, stream: true, stream_options: { include_usage: true } }),
    );
    const chars = conversation.reduce((n, m) => n + m.content.length, 0);
    expect(counted.usage?.prompt_tokens).toBe(Math.ceil(chars / 4));
    expect(counted.usage?.completion_tokens).toBe(3);
    expect(fake.requests.map((r) => r.includeUsage)).toEqual([false, true]);
  });

  it('sends no usage at all when usage is false', async () => {
    fake = await startFakeProvider(() => ({ text: 'hi', usage: false }));
    const result = await readStream(
      await client(fake).chat.completions.create({ model: 'm', messages: conversation, stream: true, stream_options: { include_usage: true } }),
    );
    expect(result.deltas.join('')).toBe('hi');
    expect(result.usage).toBeNull();
  });

  it('answers non-streaming requests with a chat.completion object', async () => {
    fake = await startFakeProvider((req) => ({ text: `echo: ${lastUserMessage(req)}` }));
    const completion = await client(fake).chat.completions.create({ model: 'm2', messages: conversation });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message.content).toBe('echo: second question');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBe(Math.ceil('echo: second question'.length / 4));
    expect(fake.requests[0]?.stream).toBe(false);
  });

  it('serves /chat/completions without the /v1 prefix and lists models', async () => {
    fake = await startFakeProvider(() => ({ text: 'ok' }));
    const bare = fake.url.replace(/\/v1$/, '');
    const completion = await new OpenAI({ baseURL: bare, apiKey: 'k', maxRetries: 0 }).chat.completions.create({ model: 'seen', messages: conversation });
    expect(completion.choices[0]?.message.content).toBe('ok');
    const models = await client(fake).models.list();
    expect(models.data.map((m) => m.id)).toContain('seen');
  });

  it('flattens content parts into a string', async () => {
    fake = await startFakeProvider(() => ({ text: 'ok' }));
    await client(fake).chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'one ' }, { type: 'text', text: 'two' }] }],
    });
    expect(fake.requests[0]?.messages).toEqual([{ role: 'user', content: 'one two' }]);
  });

  it('rejects a wrong API key with an OpenAI-style 401', async () => {
    let called = false;
    fake = await startFakeProvider(
      () => {
        called = true;
        return { text: 'never' };
      },
      { apiKey: 'right' },
    );
    const error = await client(fake, 'wrong').chat.completions.create({ model: 'm', messages: conversation }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(401);
    expect((error as APIError).code).toBe('invalid_api_key');
    expect((error as APIError).message).toContain('Incorrect API key provided');
    expect(called).toBe(false);
    const ok = await client(fake, 'right').chat.completions.create({ model: 'm', messages: conversation });
    expect(ok.choices[0]?.message.content).toBe('never');
  });

  it('sends error statuses with retry headers the client can see', async () => {
    fake = await startFakeProvider(() => ({ status: 429, retryAfter: 3, retryAfterMs: 2500, error: 'slow down' }));
    const error = (await client(fake)
      .chat.completions.create({ model: 'm', messages: conversation, stream: true })
      .catch((e: unknown) => e)) as APIError;
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('3');
    expect(error.headers?.get('retry-after-ms')).toBe('2500');
    expect(error.message).toContain('slow down');
  });

  it('turns a handler exception into a 500 carrying its message', async () => {
    fake = await startFakeProvider(() => {
      throw new Error('script bug');
    });
    const error = (await client(fake).chat.completions.create({ model: 'm', messages: conversation }).catch((e: unknown) => e)) as APIError;
    expect(error.status).toBe(500);
    expect(error.message).toContain('script bug');
  });

  it('cuts a stream after afterChars characters, without finish_reason', async () => {
    fake = await startFakeProvider(() => ({ cut: true, text: 'hello world, this is long', afterChars: 5 }));
    const result = await readStream(await client(fake).chat.completions.create({ model: 'm', messages: conversation, stream: true }));
    expect(result.deltas.join('')).toBe('hello');
    expect(result.finish).toBeNull();
    expect(result.error).toBeDefined();
  });

  it('cuts a non-streaming request by closing the socket', async () => {
    fake = await startFakeProvider(() => ({ cut: true, text: 'x', afterChars: 0 }));
    const error = await client(fake).chat.completions.create({ model: 'm', messages: conversation }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('hangs until the client aborts, and close() still returns promptly', async () => {
    fake = await startFakeProvider(() => ({ hang: true }));
    const controller = new AbortController();
    const started = Date.now();
    const pending = client(fake).chat.completions.create({ model: 'm', messages: conversation }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(Date.now() - started).toBeLessThan(1000);

    // A second hanging request is still open when the server closes.
    const orphan = client(fake).chat.completions.create({ model: 'm', messages: conversation }).catch((e: unknown) => e);
    await waitFor(() => fake?.requests.length === 2);
    const closing = Date.now();
    await fake.close();
    fake = undefined;
    expect(Date.now() - closing).toBeLessThan(500);
    expect(await orphan).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('delays replies by latencyMs, delayMs and chunkDelayMs', async () => {
    fake = await startFakeProvider(() => ({ text: 'abc', chunkChars: 1, chunkDelayMs: 30, delayMs: 40 }), { latencyMs: 30 });
    const started = Date.now();
    const result = await readStream(await client(fake).chat.completions.create({ model: 'm', messages: conversation, stream: true }));
    expect(result.deltas).toEqual(['a', 'b', 'c']);
    // latency 30 + delay 40 + two waits between three pieces (timers may fire a little early)
    expect(Date.now() - started).toBeGreaterThanOrEqual(120);
  });

  it('lets the handler be replaced and counts requests in arrival order', async () => {
    fake = await startFakeProvider(() => ({ text: 'one' }));
    const first = await client(fake).chat.completions.create({ model: 'm', messages: conversation });
    fake.setHandler(() => ({ text: 'two' }));
    const second = await client(fake).chat.completions.create({ model: 'm', messages: conversation });
    expect([first.choices[0]?.message.content, second.choices[0]?.message.content]).toEqual(['one', 'two']);
    expect(fake.requests.map((r) => r.index)).toEqual([0, 1]);
  });
});

describe('request helpers', () => {
  const req = (messages: { role: string; content: string }[]): FakeRequest => ({
    index: 0,
    model: 'm',
    messages,
    stream: false,
    includeUsage: false,
    maxOutputTokens: null,
    headers: {},
    body: {},
  });

  it('count assistant turns and find the first and last user messages', () => {
    const r = req(conversation);
    expect(turnIndex(r)).toBe(1);
    expect(firstUserMessage(r)).toBe('first question');
    expect(lastUserMessage(r)).toBe('second question');
    const empty = req([{ role: 'system', content: 's' }]);
    expect([turnIndex(empty), firstUserMessage(empty), lastUserMessage(empty)]).toEqual([0, '', '']);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
