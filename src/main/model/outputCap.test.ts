// The client's side of the budget (DESIGN §4): the output cap it sends, the parameter name that
// the server accepts, and the bill of every attempt, through the real client and the fake server.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../shared/domain/node';
import { startFakeProvider, type FakeHandler, type FakeProvider, type FakeProviderOptions, type FakeReply } from '../fakeProvider/server';
import { ModelClient, type AttemptBill, type AttemptMeter } from './modelClient';

let fake: FakeProvider | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const messages: ChatMessage[] = [{ role: 'user', content: 'Tell me everything.' }];

async function setup(handler: FakeHandler, options: FakeProviderOptions = {}): Promise<{ client: ModelClient; fake: FakeProvider }> {
  fake = await startFakeProvider(handler, options);
  return { client: new ModelClient({ baseUrl: fake.url, backoff: { baseMs: 5, maxMs: 20 } }), fake };
}

const script = (...replies: FakeReply[]): FakeHandler => (req) => replies[Math.min(req.index, replies.length - 1)] as FakeReply;

/** A meter that grants `cap` to every attempt and keeps the bills it is given. */
function meter(cap: number | undefined): AttemptMeter & { bills: AttemptBill[]; opened: number } {
  return {
    bills: [],
    opened: 0,
    open() {
      this.opened++;
      return Promise.resolve(cap);
    },
    close(bill) {
      this.bills.push(bill);
    },
  };
}

describe('output cap and attempt bills', () => {
  it('sends the cap as max_completion_tokens; the reply ends there with finish_reason length', async () => {
    const { client, fake } = await setup(() => ({ text: 'x'.repeat(400) }));
    const m = meter(25);
    const result = await client.complete({ model: 'm', messages, meter: m });
    expect(fake.requests[0]?.body).toMatchObject({ max_completion_tokens: 25 });
    expect(fake.requests[0]?.body).not.toHaveProperty('max_tokens');
    expect(result).toMatchObject({ text: 'x'.repeat(100), finishReason: 'length', usage: { outputTokens: 25 } });
    expect(m.bills).toEqual([{ usage: result.usage, providerCostUsd: null, mayBeBilled: true, receivedText: result.text, streamed: true }]);
  });

  it('sends no cap when the meter grants none, or without a meter', async () => {
    const { client, fake } = await setup(() => ({ text: 'ok' }));
    await client.complete({ model: 'm', messages, meter: meter(undefined) });
    await client.complete({ model: 'm', messages, stream: false });
    for (const req of fake.requests) {
      expect(req.body).not.toHaveProperty('max_completion_tokens');
      expect(req.body).not.toHaveProperty('max_tokens');
    }
  });

  it('falls back to max_tokens for good when the server rejects max_completion_tokens', async () => {
    const { client, fake } = await setup(() => ({ text: 'x'.repeat(400) }), { rejectMaxCompletionTokens: true });
    const m = meter(10);
    const first = await client.complete({ model: 'm', messages, meter: m });
    expect(first).toMatchObject({ finishReason: 'length', attempts: 2 });
    // The rejected attempt generated nothing: nothing to bill.
    expect(m.bills.map((b) => b.mayBeBilled)).toEqual([false, true]);
    await client.complete({ model: 'm', messages, stream: false, meter: meter(10) });
    expect(fake.requests.map((r) => Object.keys(r.body as object).filter((k) => k.startsWith('max_')))).toEqual([
      ['max_completion_tokens'],
      ['max_tokens'],
      ['max_tokens'],
    ]);
  });

  it('switches to max_tokens when a server ignores max_completion_tokens', async () => {
    const { client, fake } = await setup(() => ({ text: 'x'.repeat(400) }), { ignoreOutputCap: true });
    await client.complete({ model: 'm', messages, meter: meter(10) });
    await client.complete({ model: 'm', messages, meter: meter(10) });
    expect(fake.requests.map((r) => 'max_tokens' in (r.body as object))).toEqual([false, true]);
  });

  it('bills a cut attempt with what was received, and a 500 not at all, before the answer', async () => {
    const { client } = await setup(script({ cut: true, text: 'y'.repeat(100), afterChars: 40 }, { status: 500 }, { text: 'done' }));
    const m = meter(50);
    const result = await client.complete({ model: 'm', messages, meter: m });
    expect(result).toMatchObject({ text: 'done', attempts: 3 });
    expect(m.opened).toBe(3);
    expect(m.bills.map(({ usage, mayBeBilled, receivedText }) => ({ usage: usage !== null, mayBeBilled, receivedText }))).toEqual([
      { usage: false, mayBeBilled: true, receivedText: 'y'.repeat(40) },
      { usage: false, mayBeBilled: false, receivedText: '' },
      { usage: true, mayBeBilled: true, receivedText: 'done' },
    ]);
  });

  it('bills an attempt that timed out: the provider took the request on', async () => {
    fake = await startFakeProvider(() => ({ hang: true }));
    const client = new ModelClient({ baseUrl: fake.url, timeoutMs: 200, maxAttempts: 1 });
    const m = meter(100);
    await expect(client.complete({ model: 'm', messages, meter: m })).rejects.toThrow(/within 200 ms/);
    expect(m.bills).toEqual([{ usage: null, providerCostUsd: null, mayBeBilled: true, receivedText: '', streamed: true }]);
  });

  it('bills an attempt aborted mid-stream, and makes no attempt the meter refuses', async () => {
    const { client, fake } = await setup(() => ({ text: 'z'.repeat(4000), chunkChars: 8, chunkDelayMs: 10 }));
    const controller = new AbortController();
    const m = meter(5000);
    const call = client.complete({ model: 'm', messages, meter: m, signal: controller.signal, onDelta: () => controller.abort() });
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(m.bills).toEqual([{ usage: null, providerCostUsd: null, mayBeBilled: true, receivedText: 'z'.repeat(8), streamed: true }]);
    const refusing: AttemptMeter = { open: () => Promise.reject(new Error('over budget')), close: () => undefined };
    await expect(client.complete({ model: 'm', messages, meter: refusing })).rejects.toThrow('over budget');
    expect(fake.requests).toHaveLength(1);
  });
});
