import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { version } from '../../../package.json';
import type { RlmEvent } from '../../shared/api';
import { startFakeProvider, type FakeHandler, type FakeProvider } from '../fakeProvider/server';
import { openNodeSettings } from '../settings/nodeSettings';
import { tempFolder } from '../testing/tempDatabase';
import { repl, ROOT, startHarness, SUB, turn, type Harness } from '../testing/serviceHarness';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const answers: FakeHandler = (req) => (turn(req) === 0 ? { text: repl('print(1)'), usage: { prompt_tokens: 1000, completion_tokens: 10 } } : { text: 'FINAL(ok)', usage: { prompt_tokens: 1000, completion_tokens: 10 } });

async function harness(config: Parameters<typeof startHarness>[1] = {}): Promise<Harness> {
  const h = await startHarness(answers, config);
  cleanups.push(() => h.close());
  return h;
}

async function provider(apiKey: string): Promise<FakeProvider> {
  const fake = await startFakeProvider(answers, { apiKey });
  cleanups.push(() => fake.close());
  return fake;
}

/** A service with a settings store that starts at a fake provider, with `envKey` as the environment's key. */
async function withSettings(envKey: string | undefined) {
  const dataDir = tempFolder();
  const fake = await provider('test-key');
  const settings = openNodeSettings(dataDir, { baseUrl: fake.url, apiKey: envKey, rootModel: ROOT, subModel: SUB }, () => undefined);
  const h = await harness({ settings, dbPath: join(dataDir, 'runs.db') });
  return { h, fake, dataDir };
}

describe('RlmService settings', () => {
  it('runs each new run with the settings of the moment, without a restart', async () => {
    const { h, fake } = await withSettings('test-key');
    const first = await h.service.call('runs.start', { query: 'first', inputs: [] });
    expect(await h.service.waitForRun(first.runId)).toMatchObject({ status: 'completed' });
    expect(fake.requests.at(-1)?.model).toBe(ROOT);

    const other = await provider('other-key');
    const saved = await h.service.call('settings.update', {
      baseUrl: other.url,
      apiKey: 'other-key',
      rootModel: 'new-root',
      limits: { maxIterations: 7 },
      prices: { 'new-root': { input: 1000, output: 0 } },
    });
    expect(saved).toMatchObject({ baseUrl: other.url, rootModel: 'new-root', apiKeyStored: true, apiKeySource: 'stored', limits: { maxIterations: 7 } });
    expect(await h.service.call('settings.get', {})).toEqual(saved);

    const before = fake.requests.length;
    const second = await h.service.call('runs.start', { query: 'second', inputs: [] });
    const summary = await h.service.waitForRun(second.runId);
    expect(summary).toMatchObject({ status: 'completed', rootModel: 'new-root', inputTokens: 2000 });
    // The override prices the new model: 2000 input tokens at $1000 per million.
    expect(summary.costUsd).toBeCloseTo(2, 10);
    expect(fake.requests.length).toBe(before);
    expect(other.requests.map((r) => r.model)).toEqual(['new-root', 'new-root']);
    expect(await h.service.call('runs.get', { runId: second.runId })).toMatchObject({ baseUrl: other.url, limits: { maxIterations: 7 } });
  });

  it('starts new runs with the saved "Deduplicate sub-calls" default, which runs.start may override', async () => {
    const { h } = await withSettings('test-key');
    const off = await h.service.call('runs.start', { query: 'q', inputs: [] });
    await h.service.waitForRun(off.runId);
    expect((await h.service.call('runs.get', { runId: off.runId })).dedupeSubcalls).toBe(false);
    expect(await h.service.call('settings.update', { dedupeSubcalls: true })).toMatchObject({ dedupeSubcalls: true });
    const on = await h.service.call('runs.start', { query: 'q', inputs: [] });
    await h.service.waitForRun(on.runId);
    expect((await h.service.call('runs.get', { runId: on.runId })).dedupeSubcalls).toBe(true);
    const overridden = await h.service.call('runs.start', { query: 'q', inputs: [], dedupeSubcalls: false });
    await h.service.waitForRun(overridden.runId);
    expect((await h.service.call('runs.get', { runId: overridden.runId })).dedupeSubcalls).toBe(false);
    await expect(h.service.call('runs.start', { query: 'q', inputs: [], dedupeSubcalls: 'yes' as unknown as boolean })).rejects.toThrow(/dedupeSubcalls/);
  });

  it('uses a stored key before the environment’s, and keeps it out of the answers and the database', async () => {
    const { h, dataDir } = await withSettings('wrong-environment-key');
    expect(await h.service.call('settings.get', {})).toMatchObject({ apiKeyStored: false, apiKeySource: 'environment' });
    const refused = await h.service.call('runs.start', { query: 'q', inputs: [] });
    expect(await h.service.waitForRun(refused.runId)).toMatchObject({ status: 'failed', error: expect.stringContaining('rejected the API key') });

    const saved = await h.service.call('settings.update', { apiKey: 'test-key' });
    expect(JSON.stringify(saved)).not.toContain('test-key');
    const accepted = await h.service.call('runs.start', { query: 'q', inputs: [] });
    expect(await h.service.waitForRun(accepted.runId)).toMatchObject({ status: 'completed' });
    await h.close();
    for (const name of readdirSync(dataDir).filter((file) => file.startsWith('runs.db'))) {
      expect(readFileSync(join(dataDir, name)).includes('test-key'), name).toBe(false);
    }
  });

  it('tests the saved connection, or the values given instead', async () => {
    const { h } = await withSettings('test-key');
    const saved = await h.service.call('settings.testConnection', {});
    expect(saved).toMatchObject({ ok: true, message: expect.stringMatching(/^Connected: \d+ models? listed/) });
    const wrongKey = await h.service.call('settings.testConnection', { apiKey: 'not-the-key' });
    expect(wrongKey).toMatchObject({ ok: false, message: expect.stringContaining('refused the API key (401)') });
    expect(wrongKey.message).not.toContain('not-the-key');
    const closed = await provider('k');
    await closed.close();
    const elsewhere = await h.service.call('settings.testConnection', { baseUrl: closed.url });
    expect(elsewhere).toMatchObject({ ok: false, message: `Nothing answers at ${closed.url}: connection refused` });
    await expect(h.service.call('settings.testConnection', { baseUrl: 'file:///etc/passwd' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('without a settings store: shows its own config and refuses changes', async () => {
    const h = await harness();
    expect(await h.service.call('settings.get', {})).toMatchObject({
      baseUrl: h.fake.url,
      apiKeyStored: false,
      apiKeySource: 'environment',
      rootModel: ROOT,
      subModel: SUB,
      prices: {},
    });
    await expect(h.service.call('settings.update', { rootModel: 'x' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('no settings store'),
    });
  });
});

describe('RlmService app', () => {
  it('tells where it is served, its version and its database', async () => {
    const h = await harness({ mode: 'browser' });
    expect(await h.service.call('app.info', {})).toEqual({ mode: 'browser', version, dbPath: h.dbPath });
    const plain = await harness();
    expect((await plain.service.call('app.info', {})).mode).toBe('node');
  });

  it('passes a command from the menu to the subscribers of every run only', async () => {
    const h = await harness();
    const ofRun: RlmEvent[] = [];
    h.service.subscribe('r-some-run', (event) => ofRun.push(event));
    h.service.notify('settings');
    expect(h.events).toEqual([{ type: 'app.commanded', runId: null, command: 'settings' }]);
    expect(ofRun).toEqual([]);
  });
});
