// Replies asked for whole go over node:http (wholeReplyFetch.ts): what the model client makes of
// them must be what it made of the global fetch's — keep-alive, status errors with their headers,
// refused connections, replies cut mid-body, aborts — over real HTTP on loopback.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { RlmError } from '../../shared/errors';
import { classifyError, mayBeBilled } from './failures';
import { ModelClient } from './modelClient';
import { createWholeReplyFetch } from './wholeReplyFetch';

let server: Server | null = null;

afterEach(async () => {
  const open = server;
  server = null;
  if (open) {
    open.closeAllConnections();
    await new Promise((resolve) => open.close(resolve));
  }
});

const completion = (text: string) => JSON.stringify({ id: 'c', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } });

/** A server whose handler writes the raw answer; returns the client's base URL and the sockets it saw. */
async function serve(
  handler: (body: string, res: import('node:http').ServerResponse, index: number) => void,
  onRequest: (req: import('node:http').IncomingMessage) => void = () => undefined,
): Promise<{ baseUrl: string; sockets: Set<unknown> }> {
  const sockets = new Set<unknown>();
  let index = 0;
  server = createServer((req, res) => {
    onRequest(req);
    sockets.add(req.socket);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(Buffer.concat(chunks).toString('utf8'), res, index++));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, sockets };
}

const messages = [{ role: 'user' as const, content: 'Summarise ü part 1' }];
const fast = { baseMs: 5, maxMs: 20 };

describe('whole replies over node:http', () => {
  it('sends the JSON body exactly and reuses one kept-alive socket for calls one after another', async () => {
    const bodies: unknown[] = [];
    const { baseUrl, sockets } = await serve((body, res) => {
      bodies.push(JSON.parse(body));
      res.writeHead(200, { 'content-type': 'application/json' }).end(completion('ok'));
    });
    const client = new ModelClient({ baseUrl, apiKey: 'k', backoff: fast });
    for (let i = 0; i < 3; i++) {
      const result = await client.complete({ model: 'm', messages, stream: false });
      expect(result).toMatchObject({ text: 'ok', usage: { inputTokens: 7, outputTokens: 2, estimated: false }, attempts: 1 });
    }
    expect(bodies).toEqual([{ model: 'm', messages }, { model: 'm', messages }, { model: 'm', messages }]);
    expect(sockets.size).toBe(1);
  });

  it('reads a reply the server compressed anyway', async () => {
    const { baseUrl } = await serve((_body, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(completion('squeezed')));
    });
    const result = await new ModelClient({ baseUrl, apiKey: 'k', backoff: fast }).complete({ model: 'm', messages, stream: false });
    expect(result.text).toBe('squeezed');
  });

  it('reads brotli and deflate replies, and replies on sockets the server closes (Connection: close, a short keep-alive)', async () => {
    const { baseUrl } = await serve((_body, res, index) => {
      const encoding = ['br', 'deflate', 'identity'][index % 3] as string;
      const text = completion(`reply ${index}`);
      const bytes = encoding === 'br' ? brotliCompressSync(text) : encoding === 'deflate' ? deflateSync(text) : Buffer.from(text);
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding, ...(index % 2 ? { connection: 'close' } : {}) }).end(bytes);
    });
    if (server) server.keepAliveTimeout = 30;
    const client = new ModelClient({ baseUrl, apiKey: 'k', backoff: fast });
    for (let i = 0; i < 6; i++) {
      expect(await client.complete({ model: 'm', messages, stream: false })).toMatchObject({ text: `reply ${i}`, attempts: 1 });
      await new Promise((resolve) => setTimeout(resolve, i * 15));
    }
  });

  it('asks the path the streamed path asks, under a base URL with a path and a trailing slash', async () => {
    const paths: string[] = [];
    const { baseUrl } = await serve((body, res) => {
      paths.push(body.includes('"stream":true') ? 'streamed' : 'whole');
      res.writeHead(200, { 'content-type': 'application/json' }).end(completion('p'));
    }, (req) => paths.push(req.url ?? ''));
    const client = new ModelClient({ baseUrl: `${baseUrl.replace(/\/v1$/, '')}/proxy/v1/`, apiKey: 'k', backoff: fast });
    await client.complete({ model: 'm', messages, stream: false });
    await client.complete({ model: 'm', messages, stream: true }).catch(() => undefined);
    // The streamed call is answered whole, which it does not take (and retries): its first request is what counts.
    expect(paths.slice(0, 4)).toEqual(['/proxy/v1/chat/completions', 'whole', '/proxy/v1/chat/completions', 'streamed']);
  });

  it('follows a 307 and a 308 with the same body, as the streamed path (the global fetch) does', async () => {
    const asked: string[] = [];
    const { baseUrl } = await serve((body, res, index) => {
      asked.push(body);
      if (index === 0) return res.writeHead(307, { location: '/moved/v1/chat/completions' }).end();
      if (index === 1) return res.writeHead(308, { location: '/moved/again/v1/chat/completions' }).end('gone');
      res.writeHead(200, { 'content-type': 'application/json' }).end(completion('moved'));
    });
    const result = await new ModelClient({ baseUrl, apiKey: 'k', backoff: fast }).complete({ model: 'm', messages, stream: false });
    expect(result).toMatchObject({ text: 'moved', attempts: 1 });
    expect(asked.map((body) => JSON.parse(body) as unknown)).toEqual([{ model: 'm', messages }, { model: 'm', messages }, { model: 'm', messages }]);
  });

  it('sends no API key to another origin a redirect leads to, turns a 303 into a GET, and stops after 20 redirects', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const other = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(completion(req.method ?? '')));
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      const { baseUrl } = await serve((_body, res, index) => {
        if (index === 0) return res.writeHead(307, { location: `${otherUrl}/v1/chat/completions` }).end();
        if (index === 1) return res.writeHead(303, { location: `${otherUrl}/see` }).end();
        res.writeHead(302, { location: '/v1/loop' }).end();
      });
      const { fetch: whole, close } = createWholeReplyFetch();
      const init = { method: 'POST', headers: { authorization: 'Bearer secret', 'content-type': 'application/json' }, body: '{"a":1}' };
      const moved = await whole(`${baseUrl}/chat/completions`, init);
      expect(await moved.json()).toMatchObject({ choices: [{ message: { content: 'POST' } }] });
      const seeOther = await whole(`${baseUrl}/chat/completions`, init);
      expect(await seeOther.json()).toMatchObject({ choices: [{ message: { content: 'GET' } }] });
      expect(seen.map((h) => [h.authorization, h['content-type'], h['content-length']])).toEqual([
        [undefined, 'application/json', '7'],
        [undefined, undefined, undefined],
      ]);
      await expect(whole(`${baseUrl}/chat/completions`, init)).rejects.toThrow('redirect count exceeded');
      close();
    } finally {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('reads an empty reply marked as compressed as empty: a 429 from a gzipping proxy is still a 429 with its retry-after', async () => {
    const { baseUrl } = await serve((_body, res, index) => {
      if (index === 0) res.writeHead(429, { 'content-encoding': 'gzip', 'retry-after-ms': '60', 'content-length': '0' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(completion('after the wait'));
    });
    const delays: number[] = [];
    const bills: { mayBeBilled: boolean }[] = [];
    const meter = { open: () => Promise.resolve(undefined), close: (bill: { mayBeBilled: boolean }) => void bills.push(bill) };
    const result = await new ModelClient({ baseUrl, apiKey: 'k', backoff: fast }).complete({ model: 'm', messages, stream: false, meter, onRetry: ({ delayMs }) => delays.push(delayMs) });
    expect(result).toMatchObject({ text: 'after the wait', attempts: 2 });
    expect(delays).toEqual([60]);
    // The 429 generated nothing; the reply that answered is billed.
    expect(bills.map((b) => b.mayBeBilled)).toEqual([false, true]);
  });

  it('keeps the status of an error whose compressed body is damaged: a 429 is still retried after its retry-after', async () => {
    const { baseUrl } = await serve((_body, res, index) => {
      if (index === 0) res.writeHead(429, { 'content-encoding': 'gzip', 'retry-after-ms': '40' }).end('not gzip at all');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(completion('after the wait'));
    });
    const delays: number[] = [];
    const result = await new ModelClient({ baseUrl, apiKey: 'k', backoff: fast }).complete({ model: 'm', messages, stream: false, onRetry: ({ delayMs }) => delays.push(delayMs) });
    expect(result).toMatchObject({ text: 'after the wait', attempts: 2 });
    expect(delays).toEqual([40]);
  });

  it('refuses a reply past the limit once, unretried and maybe billed: by its length, by what came, or by what it inflates to', async () => {
    const limit = 2 ** 20;
    const big = completion('x'.repeat(limit));
    const answers = [
      (res: import('node:http').ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end(big),
      // No length announced: counted as it comes.
      (res: import('node:http').ServerResponse) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(big.slice(0, 100));
        res.end(big.slice(100));
      },
      // 10 KB on the wire that inflate to 4 MiB.
      (res: import('node:http').ServerResponse) => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(completion(' '.repeat(4 * limit)))),
    ];
    for (const answer of answers) {
      let requests = 0;
      const { baseUrl } = await serve((_body, res) => {
        requests++;
        answer(res);
      });
      const bills: { mayBeBilled: boolean }[] = [];
      const meter = { open: () => Promise.resolve(undefined), close: (bill: { mayBeBilled: boolean }) => void bills.push(bill) };
      const error = await new ModelClient({ baseUrl, apiKey: 'k', backoff: fast, maxReplyBytes: limit }).complete({ model: 'm', messages, stream: false, meter }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RlmError);
      expect((error as RlmError).message).toMatch(/^the reply from m was refused: the reply passed 1 MiB, far more than a model writes; the server at http:\/\/127\.0\.0\.1:\d+\/v1 or a proxy/);
      expect(requests).toBe(1);
      expect(bills).toEqual([expect.objectContaining({ mayBeBilled: true })]);
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
      server = null;
    }
  });

  it('gives up on a connection that does not open, as never sent (nothing billed), as the global fetch does', async () => {
    // As to an address that drops packets: the connection neither opens nor fails.
    const { fetch: whole, close } = createWholeReplyFetch({
      connectTimeoutMs: 200,
      createConnection: () => Object.assign(new Socket(), { connecting: true }),
    });
    const started = Date.now();
    // Through the SDK, as the model client calls it, which wraps what its fetch threw.
    const sdk = new OpenAI({ baseURL: 'http://127.0.0.1:9/v1', apiKey: 'k', fetch: whole, maxRetries: 0 });
    const error = await sdk.chat.completions.create({ model: 'm', messages }).catch((e: unknown) => e);
    close();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((error as { cause?: unknown }).cause).toMatchObject({ code: 'UND_ERR_CONNECT_TIMEOUT' });
    const failure = classifyError(error);
    expect(failure).toMatchObject({ kind: 'connection', neverSent: true });
    expect(mayBeBilled(failure)).toBe(false);
  });

  it("retries a 429 after the server's retry-after-ms, and fails a 400 with the provider's message", async () => {
    const { baseUrl } = await serve((_body, res, index) => {
      if (index === 0) res.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': '80' }).end(JSON.stringify({ error: { message: 'slow down' } }));
      else if (index === 1) res.writeHead(200, { 'content-type': 'application/json' }).end(completion('after the wait'));
      else res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'no such model' } }));
    });
    const client = new ModelClient({ baseUrl, apiKey: 'k', backoff: fast });
    const delays: number[] = [];
    const result = await client.complete({ model: 'm', messages, stream: false, onRetry: ({ delayMs }) => delays.push(delayMs) });
    expect(result).toMatchObject({ text: 'after the wait', attempts: 2 });
    expect(delays).toEqual([80]);
    const error = await client.complete({ model: 'm', messages, stream: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RlmError);
    expect((error as RlmError).message).toBe('400 from m: no such model');
  });

  it('says a refused connection was never sent: nothing billed', async () => {
    const { baseUrl } = await serve(() => undefined);
    await new Promise((resolve) => server?.close(resolve));
    server = null;
    const bills: { mayBeBilled: boolean }[] = [];
    const meter = { open: () => Promise.resolve(undefined), close: (bill: { mayBeBilled: boolean }) => void bills.push(bill) };
    const error = await new ModelClient({ baseUrl, apiKey: 'k', backoff: fast, maxAttempts: 2 }).complete({ model: 'm', messages, stream: false, meter }).catch((e: unknown) => e);
    expect((error as RlmError).code).toBe('PROVIDER_UNREACHABLE');
    expect((error as RlmError).message).toContain('ECONNREFUSED');
    expect(bills.map((b) => b.mayBeBilled)).toEqual([false, false]);
  });

  it('retries a reply cut off mid-body, which may have been billed', async () => {
    const { baseUrl } = await serve((_body, res, index) => {
      if (index === 0) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
        res.write(completion('half').slice(0, 40));
        setTimeout(() => res.socket?.destroy(), 20);
      } else res.writeHead(200, { 'content-type': 'application/json' }).end(completion('whole'));
    });
    const bills: { mayBeBilled: boolean }[] = [];
    const meter = { open: () => Promise.resolve(undefined), close: (bill: { mayBeBilled: boolean }) => void bills.push(bill) };
    const result = await new ModelClient({ baseUrl, apiKey: 'k', backoff: fast }).complete({ model: 'm', messages, stream: false, meter });
    expect(result).toMatchObject({ text: 'whole', attempts: 2 });
    expect(bills.map((b) => b.mayBeBilled)).toEqual([true, true]);
  });

  it('aborts a call waiting for its reply: the socket closes at once and the call rejects with AbortError', async () => {
    let closed = false;
    const { baseUrl } = await serve((_body, res) => {
      res.on('close', () => {
        closed = true;
      });
    });
    const controller = new AbortController();
    const pending = new ModelClient({ baseUrl, apiKey: 'k', backoff: fast }).complete({ model: 'm', messages, stream: false, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
  });
});
