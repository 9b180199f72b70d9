// The sample rules the README's quick start uses ship with the project: they must stay valid.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../sandbox/host/harnessPath';
import { readRulesFile, rulesHandler } from './rules';
import type { FakeRequest } from './server';

const SAMPLE = join(packageRoot(), 'resources', 'examples', 'sample-rules.json');

function request(model: string, messages: FakeRequest['messages']): FakeRequest {
  return { index: 0, model, messages, stream: true, includeUsage: true, maxOutputTokens: null, headers: {}, body: {} };
}

describe('resources/examples/sample-rules.json', () => {
  it('parses with the rules schema, and scripts a root turn with code and a sub-call answer', async () => {
    const handler = rulesHandler(await readRulesFile(SAMPLE));
    const root = handler(request('gpt-5', [{ role: 'system', content: 'You are an RLM' }, { role: 'user', content: 'Query: What went wrong?' }]));
    expect(root).toMatchObject({ text: expect.stringMatching(/```repl\n[\s\S]*llm_query[\s\S]*FINAL\([\s\S]*```/) });
    const sub = handler(request('gpt-5-mini', [{ role: 'user', content: 'In one sentence, what went wrong?' }]));
    expect(sub).toMatchObject({ text: expect.stringContaining('disk filled up') });
  });
});
