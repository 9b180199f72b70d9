import { getEventListeners } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../shared/domain/node';
import { RlmError } from '../../shared/errors';
import { startFakeProvider, type FakeHandler, type FakeProvider, type FakeReply } from '../fakeProvider/server';
import { isAbortError, ModelClient, type ModelClientOptions } from './modelClient';

let fake: FakeProvider | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const messages: ChatMessage[] = [
  { role: 'system', content: 'You answer briefly.' },
  { role: 'user', content: 'What is 2 + 2?' },
];
const fast = { baseMs: 5, maxMs: 20 };

async function setup(handler: FakeHandler, options: Partial<ModelClientOptions> = {}): Promise<{ client: ModelClient; fake: FakeProvider }> {
  fake = await startFakeProvider(handler, { apiKey: 'test-key' });
  const client = new ModelClient({ baseUrl: fake.url, apiKey: 'test-key', backoff: fast, ...options });
  return { client, fake };
}

/** Replies from the list in order, one per request. */
const script = (...replies: FakeReply[]): FakeHandler => (req) => replies[Math.min(req.index, replies.length - 1)] as FakeReply;

const rejection = <T>(promise: Promise<T>): Promise<unknown> => promise.then(() => new Error('expected a rejection'), (e: unknown) => e);

describe('ModelClient', () => {
  it('streams the reply through onDelta and returns text, usage and cost', async () => {
    const { client, fake } = await setup(() => ({
      text: 'The answer is four.',
      chunkChars: 5,
      usage: { prompt_tokens: 120, completion_tokens: 6, cached_tokens: 100 },
      cost: 0.0042,
    }));
    const deltas: string[] = [];
    const result = await client.complete({ model: 'gpt-5', messages, onDelta: (d) => deltas.push(d) });
    expect(deltas).toEqual(['The a', 'nswer', ' is f', 'our.']);
    expect(result).toEqual({
      text: 'The answer is four.',
      usage: { inputTokens: 120, outputTokens: 6, cachedTokens: 100, estimated: false },
      providerCostUsd: 0.0042,
      attempts: 1,
      finishReason: 'stop',
    });
    expect(fake.requests[0]).toMatchObject({ model: 'gpt-5', stream: true, includeUsage: true, messages });
  });

  it('asks for the whole reply at once when streaming is off, and retries it the same way', async () => {
    const { client, fake } = await setup(script({ status: 500 }, { text: 'Four.', usage: { prompt_tokens: 30, completion_tokens: 2 }, cost: 0.001 }));
    const deltas: string[] = [];
    const result = await client.complete({ model: 'm', messages, stream: false, onDelta: (d) => deltas.push(d) });
    expect(result).toEqual({ text: 'Four.', usage: { inputTokens: 30, outputTokens: 2, cachedTokens: 0, estimated: false }, providerCostUsd: 0.001, attempts: 2, finishReason: 'stop' });
    expect(deltas).toEqual([]);
    expect(fake.requests.map((r) => r.stream)).toEqual([false, false]);
  });

  it('estimates usage at four characters a token when the provider sends none', async () => {
    const { client } = await setup(() => ({ text: 'x'.repeat(10), usage: false }));
    const result = await client.complete({ model: 'm', messages });
    const inputChars = messages.reduce((n, m) => n + m.content.length, 0);
    expect(result.usage).toEqual({ inputTokens: Math.ceil(inputChars / 4), outputTokens: 3, cachedTokens: 0, estimated: true });
    expect(result.providerCostUsd).toBeNull();
  });

  it('waits what retry-after-ms asks on a 429, then succeeds', async () => {
    const { client, fake } = await setup(script({ status: 429, retryAfterMs: 50, error: 'Rate limit reached' }, { text: 'ok' }));
    const retries: { attempt: number; delayMs: number; reason: string }[] = [];
    const started = Date.now();
    const result = await client.complete({ model: 'm', messages, onRetry: (info) => retries.push(info) });
    expect(result.text).toBe('ok');
    expect(result.attempts).toBe(2);
    expect(retries).toEqual([{ attempt: 1, delayMs: 50, reason: expect.stringContaining('429 Rate limit reached') }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(fake.requests).toHaveLength(2);
  });

  it('retries a 500 with backoff, then succeeds', async () => {
    const { client } = await setup(script({ status: 500, error: 'boom' }, { text: 'recovered' }));
    const retries: number[] = [];
    const result = await client.complete({ model: 'm', messages, onRetry: (info) => retries.push(info.delayMs) });
    expect(result).toMatchObject({ text: 'recovered', attempts: 2 });
    expect(retries).toHaveLength(1);
    expect(retries[0]).toBeLessThanOrEqual(fast.baseMs);
  });

  it('retries a stream cut mid-reply and returns only the full reply', async () => {
    const full = 'A complete and rather long answer.';
    const { client } = await setup(script({ cut: true, text: full, afterChars: 12 }, { text: full }));
    const shown: string[] = [];
    const retries: string[] = [];
    const result = await client.complete({
      model: 'm',
      messages,
      onDelta: (d) => shown.push(d),
      onRetry: (info) => {
        retries.push(info.reason);
        shown.length = 0; // what a caller does: drop the partial text it showed
      },
    });
    expect(result.text).toBe(full);
    expect(result.attempts).toBe(2);
    expect(result.finishReason).toBe('stop');
    expect(retries).toEqual([expect.stringContaining('cut off')]);
    expect(shown.join('')).toBe(full);
  });

  it('retries a stream that ends cleanly but without a finish_reason', async () => {
    // The fake server's cut destroys the socket; a proxy may instead end the response properly.
    let calls = 0;
    const server = createHttpServer((_req, res) => {
      calls++;
      const chunk = (delta: object, finish: string | null = null): string =>
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (calls === 1) res.end(`${chunk({ content: 'half an' })}data: [DONE]\n\n`);
      else res.end(`${chunk({ content: 'a whole answer' })}${chunk({}, 'stop')}data: [DONE]\n\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const client = new ModelClient({ baseUrl: `http://127.0.0.1:${port}/v1`, backoff: fast });
      const retries: string[] = [];
      const result = await client.complete({ model: 'm', messages, onRetry: (info) => retries.push(info.reason) });
      expect(result).toMatchObject({ text: 'a whole answer', attempts: 2, finishReason: 'stop' });
      expect(retries).toEqual(['reply cut off: the stream ended before a finish_reason']);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('keeps a finished reply when the connection drops before the usage arrives', async () => {
    const server = createHttpServer((_req, res) => {
      const body = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: 'done' }, finish_reason: 'stop' }] })}\n\n`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(body, () => res.socket?.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const client = new ModelClient({ baseUrl: `http://127.0.0.1:${port}/v1`, backoff: fast });
      const result = await client.complete({ model: 'm', messages });
      expect(result).toMatchObject({ text: 'done', attempts: 1, finishReason: 'stop', usage: { estimated: true } });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('gives up after maxAttempts naming the last status', async () => {
    const { client, fake } = await setup(() => ({ status: 503, error: 'overloaded' }), { maxAttempts: 3 });
    const error = await rejection(client.complete({ model: 'gpt-5', messages }));
    expect(error).toBeInstanceOf(RlmError);
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', message: '503 from gpt-5: overloaded (after 3 attempts)' });
    expect(fake.requests).toHaveLength(3);
  });

  it('fails a rejected key at once with PROVIDER_AUTH', async () => {
    const { fake } = await setup(() => ({ text: 'never' }));
    const client = new ModelClient({ baseUrl: fake.url, apiKey: 'wrong-key', backoff: fast });
    const error = await rejection(client.complete({ model: 'm', messages }));
    expect(error).toMatchObject({ code: 'PROVIDER_AUTH', message: 'the provider rejected the API key (401): Incorrect API key provided' });
    expect(fake.requests).toHaveLength(1);
  });

  it('does not retry other client errors', async () => {
    const { client, fake } = await setup(() => ({ status: 404, error: 'The model `nope` does not exist' }));
    const error = await rejection(client.complete({ model: 'nope', messages }));
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', message: '404 from nope: The model `nope` does not exist' });
    expect(fake.requests).toHaveLength(1);
  });

  it('repeats a call without stream_options when the server rejects them, then stops sending them', async () => {
    const { client, fake } = await setup((req) =>
      req.includeUsage ? { status: 400, error: 'Unrecognized request argument supplied: stream_options' } : { text: 'fine', usage: false },
    );
    const result = await client.complete({ model: 'm', messages });
    expect(result.text).toBe('fine');
    expect(result.usage.estimated).toBe(true);
    await client.complete({ model: 'm', messages });
    expect(fake.requests.map((r) => r.includeUsage)).toEqual([true, false, false]);
  });

  it('repeats every call that was in flight when the server rejected stream_options', async () => {
    let arrived = 0;
    let allArrived: () => void = () => {};
    const gate = new Promise<void>((resolve) => (allArrived = resolve));
    const { client, fake } = await setup(async (req) => {
      if (!req.includeUsage) return { text: 'fine' };
      // Hold every rejection until all five calls have been sent with stream_options.
      if (++arrived === 5) allArrived();
      await gate;
      return { status: 400, error: "unknown field 'stream_options'" };
    });
    const results = await Promise.all(Array.from({ length: 5 }, () => client.complete({ model: 'm', messages })));
    expect(results.map((r) => r.text)).toEqual(Array(5).fill('fine'));
    expect(fake.requests.filter((r) => r.includeUsage)).toHaveLength(5);
  });

  it('reports an unreachable server as PROVIDER_UNREACHABLE after retrying', async () => {
    const port = await freePort();
    const client = new ModelClient({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: 'k', maxAttempts: 3, backoff: fast });
    const retries: string[] = [];
    const error = await rejection(client.complete({ model: 'm', messages, onRetry: (info) => retries.push(info.reason) }));
    expect(error).toMatchObject({ code: 'PROVIDER_UNREACHABLE' });
    expect((error as Error).message).toMatch(new RegExp(`^cannot reach http://127\\.0\\.0\\.1:${port}/v1: ECONNREFUSED`));
    expect(retries).toHaveLength(2);
  });

  it('times out a hanging attempt and retries it', async () => {
    const { client } = await setup(script({ hang: true }, { text: 'late but here' }), { timeoutMs: 150 });
    const retries: string[] = [];
    const result = await client.complete({ model: 'm', messages, onRetry: (info) => retries.push(info.reason) });
    expect(result.text).toBe('late but here');
    expect(retries).toEqual(['timed out']);
  });

  it('times out a stream that stalls after it started', async () => {
    const { client } = await setup(() => ({ text: 'slow words arrive', chunkChars: 2, chunkDelayMs: 100 }), { timeoutMs: 150, maxAttempts: 2 });
    const error = await rejection(client.complete({ model: 'm', messages }));
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', message: 'no complete reply from m within 150 ms (after 2 attempts)' });
  });

  it('rejects with an AbortError soon after the signal aborts a hanging call', async () => {
    const { client, fake } = await setup(() => ({ hang: true }));
    const controller = new AbortController();
    const pending = rejection(client.complete({ model: 'm', messages, signal: controller.signal }));
    await waitFor(() => fake.requests.length === 1);
    const aborted = Date.now();
    controller.abort();
    const error = await pending;
    expect(Date.now() - aborted).toBeLessThan(100);
    expect(isAbortError(error)).toBe(true);
    expect(error).not.toBeInstanceOf(RlmError);
  });

  it('rejects with an AbortError when aborted mid-stream or while waiting to retry', async () => {
    const { client } = await setup(script({ text: 'a long streamed reply', chunkChars: 1, chunkDelayMs: 20 }));
    const midStream = new AbortController();
    const error = await rejection(
      client.complete({ model: 'm', messages, signal: midStream.signal, onDelta: () => midStream.abort() }),
    );
    expect(isAbortError(error)).toBe(true);

    fake?.setHandler(() => ({ status: 503, retryAfterMs: 10_000 }));
    const waiting = new AbortController();
    const started = Date.now();
    const waitError = await rejection(
      client.complete({ model: 'm', messages, signal: waiting.signal, onRetry: () => setTimeout(() => waiting.abort(), 20) }),
    );
    expect(isAbortError(waitError)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('passes an exception thrown by onDelta through without retrying', async () => {
    const { client, fake } = await setup(() => ({ text: 'hello' }));
    const error = await rejection(
      client.complete({
        model: 'm',
        messages,
        onDelta: () => {
          throw new Error('listener broke');
        },
      }),
    );
    expect((error as Error).message).toBe('listener broke');
    expect(fake.requests).toHaveLength(1);
  });

  it('leaves no abort listener on a run-wide signal after 200 calls', async () => {
    const { client } = await setup(script({ status: 500 }, { text: 'ok' }));
    const run = new AbortController();
    for (let i = 0; i < 200; i++) await client.complete({ model: 'm', messages, signal: run.signal });
    expect(fake?.requests.length).toBe(201);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('keeps a single listener on the run-wide signal however many calls are in flight', async () => {
    const { client, fake } = await setup(() => ({ text: 'ok', delayMs: 100 }));
    const run = new AbortController();
    const calls = Array.from({ length: 50 }, () => client.complete({ model: 'm', messages, signal: run.signal }));
    await waitFor(() => fake.requests.length === 50);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
    expect((await Promise.all(calls)).every((r) => r.text === 'ok')).toBe(true);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('asks for a key before calling OpenAI itself, and needs none elsewhere', async () => {
    const openai = new ModelClient({ baseUrl: 'https://api.openai.com/v1' });
    await expect(openai.complete({ model: 'gpt-5', messages })).rejects.toMatchObject({
      code: 'PROVIDER_AUTH',
      message: 'no API key: set OPENAI_API_KEY or pass --api-key',
    });
    fake = await startFakeProvider(() => ({ text: 'local' }));
    const local = new ModelClient({ baseUrl: fake.url });
    expect((await local.complete({ model: 'llama', messages })).text).toBe('local');
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
