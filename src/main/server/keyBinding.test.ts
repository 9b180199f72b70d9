// Issue 9, "the key goes where the base URL points": anything holding the page's token can call
// settings.testConnection and settings.update. Neither may get the saved key (or the
// environment's) sent to an address of its choosing. Real service, real settings files in a temp
// folder, real HTTP servers that record the Authorization header of every request they get.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider } from '../fakeProvider/server';
import type { RlmService } from '../service/rlmService';
import { tempFolder } from '../testing/tempDatabase';
import { createServeService } from './serveService';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** An endpoint that answers every request with a 401 and notes the Authorization header it got
 * (a test without a key sends the client's placeholder, `Bearer no-key`). */
async function recorder(): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers.authorization ?? '(none)');
    req.resume();
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'no' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen };
}

function serve(env: NodeJS.ProcessEnv): RlmService {
  const service = createServeService({ dbPath: join(tempFolder(), 'rlmscope.db'), env, onWarning: () => undefined });
  cleanups.push(() => service.close());
  return service;
}

describe('a saved or environment API key', () => {
  it('is sent by testConnection only to the base URL it belongs to', async () => {
    const provider = await startFakeProvider(() => ({ text: 'p' }), { apiKey: 'sk-saved-secret' });
    cleanups.push(() => provider.close());
    const elsewhere = await recorder();
    const service = serve({ OPENAI_BASE_URL: 'https://env.example.invalid/v1', OPENAI_API_KEY: 'sk-env-secret' });
    await service.call('settings.update', { baseUrl: provider.url, apiKey: 'sk-saved-secret', rootModel: 'fake-model' });

    // Its own address: the saved key goes, and works.
    expect(await service.call('settings.testConnection', {})).toMatchObject({ ok: true });
    // Another address: neither the saved key nor the environment's goes there.
    const report = await service.call('settings.testConnection', { baseUrl: elsewhere.url });
    expect(report.ok).toBe(false);
    expect(elsewhere.seen.length).toBeGreaterThan(0);
    expect(elsewhere.seen.join(' ')).not.toMatch(/sk-saved-secret|sk-env-secret/);
    // A key typed for the test is the caller's own: it goes where the caller says.
    await service.call('settings.testConnection', { baseUrl: elsewhere.url, apiKey: 'sk-typed' });
    expect(elsewhere.seen.at(-1)).toBe('Bearer sk-typed');
  });

  it('is forgotten when the base URL is changed without a new key, so no run sends it elsewhere', async () => {
    const elsewhere = await recorder();
    const service = serve({});
    await service.call('settings.update', { baseUrl: 'https://saved.example.invalid/v1', apiKey: 'sk-saved-secret' });
    expect(await service.call('settings.get', {})).toMatchObject({ apiKeyStored: true, apiKeySource: 'stored' });

    const changed = await service.call('settings.update', { baseUrl: elsewhere.url });
    expect(changed).toMatchObject({ baseUrl: elsewhere.url, apiKeyStored: false, apiKeySource: 'none' });
    await service.call('settings.testConnection', {});
    // Changing it back does not bring the key back either: it was forgotten, not hidden.
    await service.call('settings.update', { baseUrl: 'https://saved.example.invalid/v1' });
    expect(await service.call('settings.get', {})).toMatchObject({ apiKeyStored: false, apiKeySource: 'none' });

    // A new key given with the new address is bound to it.
    await service.call('settings.update', { baseUrl: elsewhere.url, apiKey: 'sk-for-elsewhere' });
    await service.call('settings.testConnection', {});
    expect(elsewhere.seen).toEqual(['Bearer no-key', 'Bearer sk-for-elsewhere']);
  });

  it('from the environment is used only with the environment base URL', async () => {
    const elsewhere = await recorder();
    const service = serve({ OPENAI_BASE_URL: 'https://env.example.invalid/v1/', OPENAI_API_KEY: 'sk-env-secret' });
    expect(await service.call('settings.get', {})).toMatchObject({ apiKeySource: 'environment' });
    const moved = await service.call('settings.update', { baseUrl: elsewhere.url });
    expect(moved).toMatchObject({ apiKeySource: 'none' });
    await service.call('settings.testConnection', {});
    expect(elsewhere.seen).toEqual(['Bearer no-key']);
    // Back to the environment's address (a trailing slash is the same address): its key applies again.
    expect(await service.call('settings.update', { baseUrl: 'https://env.example.invalid/v1' })).toMatchObject({ apiKeySource: 'environment' });
  });
});
