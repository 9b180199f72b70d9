// A streamed reply that never stops growing (a server looping past the output cap it was sent)
// is refused at the limit through the real client and the fake provider: one request, not
// retried, the text so far billed as maybe billed, and the socket closed.
import { afterEach, describe, expect, it } from 'vitest';
import { RlmError } from '../../shared/errors';
import { startFakeProvider, type FakeProvider } from '../fakeProvider/server';
import type { AttemptBill } from './attemptMeter';
import { ModelClient } from './modelClient';
import { MAX_REPLY_BYTES } from './replyLimit';

let fake: FakeProvider | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('the reply limit', () => {
  it('refuses a streamed reply when its text passes the limit, without a retry', async () => {
    const limit = 2 ** 20;
    fake = await startFakeProvider(() => ({ text: 'y'.repeat(3 * limit), chunkChars: 64 * 1024 }));
    const bills: AttemptBill[] = [];
    const meter = { open: () => Promise.resolve(undefined), close: (bill: AttemptBill) => void bills.push(bill) };
    const client = new ModelClient({ baseUrl: fake.url, backoff: { baseMs: 5, maxMs: 20 }, maxReplyBytes: limit });
    let delivered = 0;
    const error = await client.complete({ model: 'm', messages: [{ role: 'user', content: 'go' }], meter, onDelta: (d) => (delivered += d.length) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RlmError);
    expect((error as RlmError).code).toBe('PROVIDER_ERROR');
    expect((error as RlmError).message).toContain('the reply from m was refused: the reply passed 1 MiB');
    expect(fake.requests).toHaveLength(1);
    expect(delivered).toBeLessThanOrEqual(limit);
    expect(bills).toHaveLength(1);
    expect(bills[0]).toMatchObject({ mayBeBilled: true, streamed: true });
    expect(bills[0]?.receivedText.length).toBe(delivered);
  });

  it('leaves every real reply alone: the default is far past the longest output a provider offers', async () => {
    // 128k output tokens of 4 characters each, with room to spare.
    expect(MAX_REPLY_BYTES).toBeGreaterThan(128_000 * 4 * 8);
    fake = await startFakeProvider(() => ({ text: 'z'.repeat(2 ** 20 + 10), chunkChars: 64 * 1024 }));
    const result = await new ModelClient({ baseUrl: fake.url }).complete({ model: 'm', messages: [{ role: 'user', content: 'go' }] });
    expect(result.text).toHaveLength(2 ** 20 + 10);
  });
});

describe('the reply limit on the wire of a stream', () => {
  it('refuses one endless server-sent event, which never becomes text, once its bytes pass the bound', async () => {
    const { createServer } = await import('node:http');
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"index":0,"delta":{"content":"');
      // 5 MiB of one line, never ended: the SDK would buffer it whole, waiting for its newline.
      const block = 'w'.repeat(64 * 1024);
      let sent = 0;
      const more = () => {
        while (sent < 80 && res.write(block)) sent++;
        if (sent < 80) res.once('drain', more);
      };
      more();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as import('node:net').AddressInfo).port;
      const limit = 2 ** 20;
      const client = new ModelClient({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: 'k', backoff: { baseMs: 5, maxMs: 20 }, maxReplyBytes: limit });
      const error = await client.complete({ model: 'm', messages: [{ role: 'user', content: 'go' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RlmError);
      expect((error as RlmError).message).toContain("the reply from m was refused: the reply's stream (its events and their framing) passed 4 MiB");
      expect(requests).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the reply limit on the error body of a stream', () => {
  let server: import('node:http').Server | null = null;
  afterEach(async () => {
    server?.closeAllConnections();
    if (server) await new Promise((resolve) => server?.close(resolve));
    server = null;
  });
  async function serve(answer: (res: import('node:http').ServerResponse, index: number) => void): Promise<{ baseUrl: string; requests: () => number }> {
    const { createServer } = await import('node:http');
    let requests = 0;
    server = createServer((_req, res) => answer(res, requests++));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return { baseUrl: `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/v1`, requests: () => requests };
  }
  const go = { model: 'm', messages: [{ role: 'user' as const, content: 'go' }] };

  for (const status of [500, 429]) {
    it(`refuses a ${status} whose body passes the limit once, unretried, as a whole reply's is (the SDK would read it into a retried error)`, async () => {
      const limit = 2 ** 20;
      const { baseUrl, requests } = await serve((res) => res.writeHead(status, { 'content-type': 'text/plain', 'retry-after-ms': '5' }).end('e'.repeat(3 * limit)));
      const bills: AttemptBill[] = [];
      const meter = { open: () => Promise.resolve(undefined), close: (bill: AttemptBill) => void bills.push(bill) };
      const error = await new ModelClient({ baseUrl, apiKey: 'k', backoff: { baseMs: 5, maxMs: 20 }, maxReplyBytes: limit }).complete({ ...go, meter }).catch((e: unknown) => e);
      expect((error as RlmError).message).toContain('the reply from m was refused: the reply passed 1 MiB');
      expect(requests()).toBe(1);
      expect(bills).toHaveLength(1);
    });
  }

  it('keeps the status of an error whose compressed body is damaged, and of one outside 200 to 599', async () => {
    const { baseUrl } = await serve((res, index) => {
      if (index === 0) res.writeHead(429, { 'content-encoding': 'gzip', 'retry-after-ms': '30' }).end('not gzip at all');
      else if (index === 1) res.writeHead(600, { 'content-type': 'text/plain', 'retry-after-ms': '20' }).end('odd');
      else {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'after the waits' }, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
      }
    });
    const reasons: string[] = [];
    const delays: number[] = [];
    const result = await new ModelClient({ baseUrl, apiKey: 'k', backoff: { baseMs: 5, maxMs: 20 } }).complete({ ...go, onRetry: ({ delayMs, reason }) => (delays.push(delayMs), reasons.push(reason)) });
    expect(result).toMatchObject({ text: 'after the waits', attempts: 3 });
    expect(delays).toEqual([30, 20]);
    expect(reasons[1]).toMatch(/^600 /);
  });
});
