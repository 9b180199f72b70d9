import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeRulesSchema, readRulesFile, rulesHandler, type FakeRule } from './rules';
import { startFakeProvider, type FakeRequest } from './server';

const request = (model: string, messages: { role: string; content: string }[]): FakeRequest => ({
  index: 0,
  model,
  messages,
  stream: true,
  includeUsage: true,
  maxOutputTokens: null,
  headers: {},
  body: {},
});

const user = (content: string): { role: string; content: string } => ({ role: 'user', content });

describe('rulesHandler', () => {
  it('uses the first matching rule and falls back to a scripted FINAL', async () => {
    const handler = rulesHandler([
      { match: { model: 'sub', contains: 'chunk' }, reply: { text: 'sub answer' } },
      { match: { systemContains: 'REPL' }, reply: { text: 'root answer' } },
      { match: { contains: 'chunk' }, reply: { text: 'generic chunk' } },
    ]);
    expect(await handler(request('sub', [user('read this chunk')]))).toEqual({ text: 'sub answer' });
    expect(await handler(request('root', [{ role: 'system', content: 'You have a REPL' }, user('read this chunk')]))).toEqual({
      text: 'root answer',
    });
    expect(await handler(request('other', [user('another chunk')]))).toEqual({ text: 'generic chunk' });
    expect(await handler(request('other', [user('nothing')]))).toEqual({ text: 'FINAL(no scripted reply)' });
  });

  it('matches on the turn index', async () => {
    const handler = rulesHandler([
      { match: { turn: 0 }, reply: { text: 'first turn' } },
      { match: { turn: 1 }, reply: { text: 'second turn' } },
    ]);
    expect(await handler(request('m', [user('q')]))).toEqual({ text: 'first turn' });
    expect(await handler(request('m', [user('q'), { role: 'assistant', content: 'a' }, user('out')]))).toEqual({ text: 'second turn' });
  });

  it('replays a reply list in order and repeats its last entry', async () => {
    const handler = rulesHandler([{ reply: [{ status: 429 }, { text: 'a' }, { text: 'b' }] }]);
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await handler(request('m', [user('q')])));
    expect(replies).toEqual([{ status: 429 }, { text: 'a' }, { text: 'b' }, { text: 'b' }, { text: 'b' }]);
  });
});

describe('fakeRulesSchema', () => {
  it('accepts every reply shape', () => {
    const rules: FakeRule[] = [
      { match: { model: 'm', turn: 2 }, reply: { text: 't', usage: { prompt_tokens: 1, completion_tokens: 2, cached_tokens: 0 }, cost: 0.1 } },
      { reply: [{ cut: true, text: 'abc', afterChars: 1 }, { hang: true }, { status: 503, retryAfter: 1 }, { text: 'x', usage: false }] },
    ];
    expect(fakeRulesSchema.parse(rules)).toEqual(rules);
  });

  it('rejects typos and malformed replies', () => {
    expect(fakeRulesSchema.safeParse([{ reply: { txt: 'oops' } }]).success).toBe(false);
    expect(fakeRulesSchema.safeParse([{ match: { modle: 'x' }, reply: { text: 'a' } }]).success).toBe(false);
    expect(fakeRulesSchema.safeParse([{ reply: [] }]).success).toBe(false);
    expect(fakeRulesSchema.safeParse({ reply: { text: 'a' } }).success).toBe(false);
  });
});

describe('rules over HTTP', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rlm-rules-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a rules file and serves it to the real client', async () => {
    const path = join(dir, 'rules.json');
    await writeFile(path, JSON.stringify([{ match: { contains: 'hello' }, reply: { text: 'FINAL(hi)' } }]));
    const fake = await startFakeProvider(rulesHandler(await readRulesFile(path)));
    try {
      const client = new OpenAI({ baseURL: fake.url, apiKey: 'k', maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hello there' }] });
      expect(completion.choices[0]?.message.content).toBe('FINAL(hi)');
    } finally {
      await fake.close();
    }
  });

  it('names the file and the problem when the rules are invalid', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify([{ reply: { status: 'x' } }]));
    await expect(readRulesFile(path)).rejects.toThrow(/invalid rules file .*bad\.json: 0\.reply/);
    await expect(readRulesFile(join(dir, 'missing.json'))).rejects.toThrow(/cannot read rules file .*missing\.json/);
  });
});
