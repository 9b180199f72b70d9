// `rlmscope run` uses the settings saved in the page (issue 8, §4): the same store browser mode
// writes, in the folder of the database. Flags, then the environment, override them; reading
// them writes nothing; the start says which provider and models are used, never the key.
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider, type FakeRequest } from '../fakeProvider/server';
import { openNodeSettings } from '../settings/nodeSettings';
import { providerSettingsFromEnv } from '../settings/providerDefaults';
import { jsonOf, runCli } from '../testing/cli';
import { repl, turn } from '../testing/serviceHarness';

let fake: FakeProvider;
let dir = '';
let db = '';
let input = '';

beforeAll(async () => {
  // No key demanded: the test reads the Authorization header each request carried.
  fake = await startFakeProvider(() => ({ text: 'FINAL(unscripted)' }));
});
afterAll(() => fake.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rlm-cli-settings-'));
  db = join(dir, 'rlmscope.db');
  input = join(mkdtempSync(join(tmpdir(), 'rlm-cli-input-')), 'notes.txt');
  writeFileSync(input, 'hello\n');
  // A root model that asks its sub model once, then never answers: only a limit ends the run.
  fake.setHandler((req) => {
    if (req.messages.every((m) => m.role !== 'system')) return { text: 'sub answer', usage: { prompt_tokens: 20, completion_tokens: 2 } };
    return { text: turn(req) === 0 ? repl('print(await llm_query("hi"))') : repl('print(2)'), usage: { prompt_tokens: 100, completion_tokens: 10 } };
  });
});

/** Saves settings the way the page does: the browser-mode settings store of that data folder. */
function saveInPage(patch: Parameters<ReturnType<typeof openNodeSettings>['update']>[0]): void {
  openNodeSettings(dir, providerSettingsFromEnv({})).update(patch);
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string; json: Record<string, unknown>; requests: FakeRequest[] }> {
  const before = fake.requests.length;
  const result = await runCli(['run', '--json', '--query', 'q', '--file', input, '--db', db, ...args], env);
  return { code: result.code, stderr: result.stderr, json: jsonOf(result), requests: fake.requests.slice(before) };
}

const DEAD = 'http://127.0.0.1:9/v1';

describe('rlmscope run and the saved settings', () => {
  it('reaches the saved provider with the saved key, models and default limits, and says so without the key', async () => {
    const prices = { 'saved-root': { input: 1, output: 2 }, 'saved-sub': { input: 3, output: 4 } };
    saveInPage({ baseUrl: fake.url, apiKey: 'sk-saved-secret', rootModel: 'saved-root', subModel: 'saved-sub', limits: { maxIterations: 2 }, prices });
    const files = Object.fromEntries(readdirSync(dir).map((name) => [name, statSync(join(dir, name)).mtimeMs]));

    const { json, requests, stderr } = await run([]);
    expect(json).toMatchObject({ status: 'stopped', stopReason: 'max-iterations', answer: null });
    // Two turns of work (the saved limit), then the one the engine gives to ask for an answer.
    expect(requests.map((r) => r.model)).toEqual(['saved-root', 'saved-sub', 'saved-root', 'saved-root']);
    expect(new Set(requests.map((r) => r.headers.authorization))).toEqual(new Set(['Bearer sk-saved-secret']));
    // Priced with the saved overrides: these models are in no bundled table.
    expect(json.costUsd).toBeCloseTo((3 * (100 * 1 + 10 * 2) + (20 * 3 + 2 * 4)) / 1e6, 12);
    expect(stderr).toContain(`provider ${fake.url} (saved settings); API key: from saved settings (secrets.json)`);
    expect(stderr).toContain('models: saved-root root (saved settings), saved-sub sub (saved settings)');
    expect(stderr).not.toContain('sk-saved-secret');
    // Read, not written: the page's files are as they were (the database is new).
    const after = Object.fromEntries(readdirSync(dir).filter((name) => name in files).map((name) => [name, statSync(join(dir, name)).mtimeMs]));
    expect(after).toEqual(files);
  }, 60_000);

  it('lets flags override the environment, and the environment override the saved settings', async () => {
    saveInPage({ baseUrl: DEAD, apiKey: 'sk-saved', rootModel: 'saved-root', subModel: 'saved-sub', limits: { maxIterations: 2 } });
    const env = { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'sk-env', RLMSCOPE_ROOT_MODEL: 'env-root' };

    const first = await run(['--root-model', 'flag-root', '--max-iterations', '1'], env);
    expect(first.json).toMatchObject({ stopReason: 'max-iterations' });
    expect(first.requests.map((r) => r.model)).toEqual(['flag-root', 'saved-sub', 'flag-root']);
    expect(new Set(first.requests.map((r) => r.headers.authorization))).toEqual(new Set(['Bearer sk-env']));
    expect(first.stderr).toContain(`provider ${fake.url} (environment); API key: from environment`);
    expect(first.stderr).toContain('models: flag-root root (flag), saved-sub sub (saved settings)');

    const second = await run(['--base-url', fake.url, '--api-key', 'sk-flag'], { ...env, OPENAI_BASE_URL: DEAD });
    expect(second.json).toMatchObject({ stopReason: 'max-iterations' });
    expect(second.requests.map((r) => r.model)).toEqual(['env-root', 'saved-sub', 'env-root', 'env-root']);
    expect(new Set(second.requests.map((r) => r.headers.authorization))).toEqual(new Set(['Bearer sk-flag']));
    expect(second.stderr).toContain(`provider ${fake.url} (flag); API key: from flag`);
  }, 60_000);

  it('never sends the saved key to a base URL it was not saved for (issue 9)', async () => {
    saveInPage({ baseUrl: DEAD, apiKey: 'sk-saved-for-dead' });
    const { json, requests, stderr } = await run(['--base-url', fake.url, '--max-iterations', '1']);
    expect(json).toMatchObject({ stopReason: 'max-iterations' });
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.map((r) => r.headers.authorization ?? '').join(' ')).not.toContain('sk-saved-for-dead');
    expect(stderr).toContain(`the saved API key belongs to ${DEAD}, not ${fake.url}; it is not sent there`);
    expect(stderr).toContain('API key: none');
  }, 60_000);

  it('sends the saved key neither to a --base-url nor to an OPENAI_BASE_URL it was not saved for', async () => {
    // A key saved for one provider must not go to whatever --base-url (or OPENAI_BASE_URL) names.
    saveInPage({ baseUrl: DEAD, apiKey: 'sk-saved-secret', limits: { maxIterations: 1 } });
    const byFlag = await run(['--base-url', fake.url]);
    expect(byFlag.requests.length).toBeGreaterThan(0);
    expect(byFlag.requests.map((r) => r.headers.authorization)).not.toContain('Bearer sk-saved-secret');
    expect(byFlag.stderr).toContain('API key: none');
    const byEnv = await run([], { OPENAI_BASE_URL: fake.url });
    expect(byEnv.requests.map((r) => r.headers.authorization)).not.toContain('Bearer sk-saved-secret');
  }, 60_000);

  it('creates no settings file when none was saved, and names the defaults it uses', async () => {
    const { json, requests, stderr } = await run(['--base-url', fake.url, '--max-iterations', '1']);
    expect(json).toMatchObject({ stopReason: 'max-iterations' });
    expect(requests[0]?.model).toBe('gpt-5');
    expect(stderr).toContain('API key: none');
    expect(stderr).toContain('models: gpt-5 root (default), gpt-5-mini sub (default)');
    expect(existsSync(join(dir, 'settings.json'))).toBe(false);
    expect(existsSync(join(dir, 'secrets.json'))).toBe(false);
  }, 60_000);

  it('reports a bad saved settings file and leaves it in place', async () => {
    writeFileSync(join(dir, 'settings.json'), '{not json');
    const { json, stderr } = await run(['--base-url', fake.url, '--max-iterations', '1']);
    expect(json).toMatchObject({ stopReason: 'max-iterations' });
    expect(stderr).toMatch(/warning: .*settings\.json is not a valid settings file .*; the default settings apply/);
    expect(readdirSync(dir).filter((name) => name.startsWith('settings.json'))).toEqual(['settings.json']);
  }, 60_000);

  it('sends no saved key when the settings file that says where it goes is broken', async () => {
    // The key was saved for a provider named in settings.json; broken, that file no longer says
    // which, and the default endpoint must not receive another provider's key.
    saveInPage({ baseUrl: DEAD, apiKey: 'sk-saved-secret' });
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 1, baseUrl: DEAD, limits: { maxCostUsd: -5 } }));
    const { requests, stderr } = await run(['--max-iterations', '1'], { OPENAI_BASE_URL: fake.url });
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.map((r) => r.headers.authorization)).not.toContain('Bearer sk-saved-secret');
    expect(stderr).toMatch(/not a valid settings file .*the saved API key is not used/);
  }, 60_000);
});
