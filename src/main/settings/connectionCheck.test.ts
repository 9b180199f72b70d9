import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../fakeProvider/server';
import { checkConnection } from './connectionCheck';

const KEY = 'sk-test-connection-key';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function fake(): Promise<FakeProvider> {
  const provider = await startFakeProvider(() => ({ text: 'p', usage: { prompt_tokens: 1, completion_tokens: 1 } }), { apiKey: KEY });
  cleanups.push(() => provider.close());
  return provider;
}

/** An HTTP server of our own, for the endpoints the fake provider does not play. */
async function server(handle: Parameters<typeof createServer>[1]): Promise<string> {
  const created: Server = createServer(handle);
  await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        created.closeAllConnections();
        created.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(created.address() as AddressInfo).port}/v1`;
}

/** A port nothing listens on: bound, noted, closed. */
async function deadPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('checkConnection', () => {
  it('lists the models of a working endpoint', async () => {
    const provider = await fake();
    const report = await checkConnection({ baseUrl: provider.url, apiKey: KEY, model: 'fake-model' });
    expect(report).toMatchObject({ ok: true, models: ['fake-model'] });
    expect(report.message).toMatch(/^Connected: 1 model listed in \d+ ms$/);
    expect(report.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('says when the chosen model is not among those listed', async () => {
    const provider = await fake();
    const report = await checkConnection({ baseUrl: provider.url, apiKey: KEY, model: 'gpt-nine' });
    expect(report.ok).toBe(true);
    expect(report.message).toContain('gpt-nine is not among them');
  });

  it('reports a refused key without repeating it', async () => {
    const provider = await fake();
    const wrong = 'sk-wrong-key-123456';
    const report = await checkConnection({ baseUrl: provider.url, apiKey: wrong, model: 'fake-model' });
    expect(report).toMatchObject({ ok: false, models: [] });
    expect(report.message).toMatch(/^The endpoint refused the API key \(401\)/);
    expect(report.message).not.toContain(wrong);
  });

  it('redacts the key when a provider echoes it back', async () => {
    const secret = 'sk-echoed-secret-987';
    const url = await server((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${secret}` } }));
    });
    const report = await checkConnection({ baseUrl: url, apiKey: secret, model: 'm' });
    expect(report.message).toContain('Incorrect API key provided: [API key]');
    expect(report.message).not.toContain(secret);
  });

  it('reports an address where nothing answers', async () => {
    const url = `http://127.0.0.1:${await deadPort()}/v1`;
    const report = await checkConnection({ baseUrl: url, apiKey: KEY, model: 'm' });
    expect(report).toMatchObject({ ok: false, message: `Nothing answers at ${url}: connection refused`, models: [] });
  });

  it('explains a port that fetch will not use', async () => {
    const report = await checkConnection({ baseUrl: 'http://127.0.0.1:6000/v1', model: 'm' });
    expect(report).toMatchObject({ ok: false, message: 'http://127.0.0.1:6000/v1 uses a port that fetch refuses to connect to (bad port); use another port' });
  });

  it('falls back to a one-token completion where the endpoint has no model list', async () => {
    const provider = await fake();
    // Answers chat completions through the fake provider, and 404 for /models.
    const url = await server((req, res) => {
      if (req.method === 'GET') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'Not found' } }));
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void fetch(`${provider.url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
          body: Buffer.concat(chunks),
        }).then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(await answer.text());
        });
      });
    });
    const report = await checkConnection({ baseUrl: url, apiKey: KEY, model: 'root-model' });
    expect(report).toMatchObject({ ok: true, models: [] });
    expect(report.message).toMatch(/^Connected: root-model answered in \d+ ms/);
    expect(provider.requests).toHaveLength(1);
    expect(provider.requests[0]?.body).toMatchObject({ model: 'root-model', max_tokens: 1 });
  });

  it('gives up after its timeout, and when cancelled', async () => {
    const url = await server(() => undefined); // never answers
    const slow = await checkConnection({ baseUrl: url, model: 'm' }, { timeoutMs: 200 });
    expect(slow).toMatchObject({ ok: false, message: `No answer from ${url} within 200 ms` });
    expect(slow.latencyMs).toBeLessThan(5000);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const cancelled = await checkConnection({ baseUrl: url, model: 'm' }, { signal: controller.signal });
    expect(cancelled).toMatchObject({ ok: false, message: 'The test was cancelled' });
  });
});
