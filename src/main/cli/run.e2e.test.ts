// `rlmscope run` end to end: the built command, real sandbox processes, a real database, and
// the fake provider over loopback HTTP. Each test checks the answer and the persisted tree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliHarness, priced } from '../testing/cliHarness';
import { lastUser, queryOf, repl, ROOT, SUB, turn } from '../testing/serviceHarness';

const h = new CliHarness();
beforeAll(() => h.start());
afterAll(() => h.stop());

describe('rlmscope run', () => {
  it('finds a needle by regex in a 50 MB document the model never sees', async () => {
    const needle = `NDL-${Math.random().toString(36).slice(2, 10)}`;
    const line = 'INFO 2026-11-25 request served in 12 ms by worker 7 (status 200)\n';
    const lines = Math.ceil((50 * 1024 * 1024) / line.length);
    const at = Math.floor(lines * 0.73);
    const doc = line.repeat(at) + `WARN secret code: ${needle}\n` + line.repeat(lines - at);
    const path = h.file('big.log', doc);
    const { result, json } = await h.run(
      (req) =>
        turn(req) === 0
          ? { text: repl('const m = context.match(/secret code: ([\\w-]+)/);\nprint("found", m[1], "at", m.index)'), usage: { prompt_tokens: 900, completion_tokens: 40 } }
          : { text: `FINAL(${/found (\S+)/.exec(lastUser(req))?.[1]})`, usage: { prompt_tokens: 1100, completion_tokens: 10 } },
      'What is the secret code?',
      [path],
    );
    expect(result.code).toBe(0);
    expect(json).toMatchObject({ status: 'completed', answer: needle, modelCalls: 2, iterations: 2, inputTokens: 2000, outputTokens: 50, maxDepthReached: 0 });
    expect(json.costUsd).toBeCloseTo(priced(ROOT, 2000, 50), 12);
    // The document stayed in the sandbox: every prompt together is a few kilobytes.
    const sent = h.fake.requests.slice(-2).flatMap((r) => r.messages.map((m) => m.content)).join('');
    expect(sent.length).toBeLessThan(30_000);
    expect(sent).toContain(`a string of ${doc.length.toLocaleString('en-US')} characters`);
    const shown = await h.show(json.runId as string);
    expect(shown.nodes.map((n) => `${n.kind}${n.purpose ? `:${n.purpose}` : ''}`)).toEqual(['rlm', 'llm:turn', 'cell', 'llm:turn']);
    expect(shown.nodes[2]).toMatchObject({ parentId: 1, status: 'completed', output: expect.stringContaining(`found ${needle} at ${doc.indexOf('secret code:')}`) });
    expect(shown.nodes[0]).toMatchObject({ answer: needle, costUsd: 0, subtree: { costUsd: json.costUsd } });
  }, 120_000);

  it('aggregates over chunks with llm_query_batched', async () => {
    const values = Array.from({ length: 40 }, (_, i) => (i * 37) % 101);
    const path = h.file('items.txt', values.map((v, i) => `item ${i}: ${v}`).join('\n'));
    const code = [
      'const lines = context.split("\\n");',
      'const chunks = [];',
      'for (let i = 0; i < lines.length; i += 10) chunks.push(lines.slice(i, i + 10).join("\\n"));',
      'const sums = await llm_query_batched(chunks.map((c) => "Sum the values:\\n" + c));',
      'FINAL(String(sums.reduce((a, s) => a + Number(s), 0)))',
    ].join('\n');
    const { result, json } = await h.run(
      (req) => {
        if (req.model === SUB) {
          const sum = [...lastUser(req).matchAll(/: (\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
          return { text: String(sum), usage: { prompt_tokens: 100, completion_tokens: 2 } };
        }
        return { text: repl(code), usage: { prompt_tokens: 800, completion_tokens: 90 } };
      },
      'What is the total of all values?',
      [path],
    );
    expect(result.code).toBe(0);
    expect(json).toMatchObject({ status: 'completed', answer: String(values.reduce((a, b) => a + b, 0)), modelCalls: 5, iterations: 1 });
    expect(json.costUsd).toBeCloseTo(priced(ROOT, 800, 90) + 4 * priced(SUB, 100, 2), 12);
    const shown = await h.show(json.runId as string);
    const cell = shown.nodes.find((n) => n.kind === 'cell');
    const subs = shown.nodes.filter((n) => n.purpose === 'sub');
    expect(subs).toHaveLength(4);
    expect(subs.every((n) => n.parentId === cell?.id && n.model === SUB && n.inputTokens === 100 && n.status === 'completed')).toBe(true);
    expect(subs.map((n) => n.seq)).toEqual([0, 1, 2, 3]);
  });

  it('starts a child RLM with rlm_query, one level deeper', async () => {
    const path = h.file('words.txt', 'alpha beta gamma delta and the rest of the document');
    const { result, json } = await h.run(
      (req) => {
        if (queryOf(req) === 'Count the words') {
          return turn(req) === 0 ? { text: repl('print(context.split(" ").length)') } : { text: `FINAL(${/^(\d+)/m.exec(lastUser(req).replace('Output:\n', ''))?.[1]})` };
        }
        return { text: repl('const n = await rlm_query("Count the words", context.slice(0, 22));\nFINAL("the child counted " + n)') };
      },
      'How many words in the first part?',
      [path],
    );
    expect(result.code).toBe(0);
    expect(json).toMatchObject({ status: 'completed', answer: 'the child counted 4', maxDepthReached: 1, modelCalls: 3, iterations: 3 });
    const shown = await h.show(json.runId as string);
    const child = shown.nodes.find((n) => n.kind === 'rlm' && n.depth === 1);
    const rootCell = shown.nodes.find((n) => n.kind === 'cell' && n.depth === 0);
    expect(child).toMatchObject({ parentId: rootCell?.id, model: SUB, query: 'Count the words', answer: '4', status: 'completed' });
    const childTurns = shown.nodes.filter((n) => n.parentId === child?.id && n.purpose === 'turn');
    expect(childTurns.every((n) => n.model === SUB && n.depth === 1)).toBe(true);
    expect(childTurns).toHaveLength(2);
  });

  it('degrades rlm_query to a sub-model call past the depth limit', async () => {
    const path = h.file('short.txt', 'tiny');
    const { json } = await h.run(
      (req) => (req.model === SUB ? { text: 'plain answer' } : { text: repl('FINAL(await rlm_query("Summarise", context))') }),
      'q',
      [path],
      '--max-depth', '0',
    );
    expect(json).toMatchObject({ status: 'completed', answer: 'plain answer', maxDepthReached: 0 });
    const shown = await h.show(json.runId as string);
    expect(shown.nodes.filter((n) => n.kind === 'rlm')).toHaveLength(1);
    const sub = shown.nodes.find((n) => n.purpose === 'sub');
    expect(sub).toMatchObject({ model: SUB, text: 'plain answer' });
    expect(h.fake.requests.at(-1)?.messages).toEqual([{ role: 'user', content: 'Summarise\n\ntiny' }]);
  });

  it('retries a 429 honouring retry-after, then succeeds', async () => {
    const path = h.file('a.txt', 'abc');
    let rejected = 0;
    const { json } = await h.run(
      () => {
        if (rejected++ === 0) return { status: 429, retryAfterMs: 200, error: 'slow down' };
        return { text: 'FINAL(after the wait)', usage: { prompt_tokens: 10, completion_tokens: 5 } };
      },
      'q',
      [path],
    );
    expect(json).toMatchObject({ status: 'completed', answer: 'after the wait', modelCalls: 1, inputTokens: 10 });
    expect(rejected).toBe(2);
  });

  it('retries a stream cut mid-reply and keeps only the full reply', async () => {
    const path = h.file('b.txt', 'abc');
    let cuts = 0;
    const reply = 'Counting.\n```repl\nprint(context.length)\n```';
    const { json } = await h.run(
      (req) => {
        if (turn(req) === 0 && cuts++ === 0) return { cut: true, text: reply, afterChars: 14 };
        return turn(req) === 0 ? { text: reply } : { text: `FINAL(${lastUser(req).split('\n')[1]})` };
      },
      'q',
      [path],
    );
    expect(json).toMatchObject({ status: 'completed', answer: '3' });
    const shown = await h.show(json.runId as string);
    expect(shown.nodes[1]).toMatchObject({ purpose: 'turn', text: reply, status: 'completed' });
  });

  it('keeps a model that writes code and FINAL in one reply from finishing on invented output', async () => {
    const path = h.file('c.txt', 'the real content');
    const { json } = await h.run(
      (req) =>
        turn(req) === 0
          ? { text: `${repl('print(context.length)')}\nOutput: 999\nFINAL(999)` }
          : { text: lastUser(req).includes('was ignored') ? `FINAL(${lastUser(req).split('\n')[1]})` : 'FINAL(wrong)' },
      'q',
      [path],
    );
    expect(json).toMatchObject({ status: 'completed', answer: '16', iterations: 2 });
  });

  it('contains escape attempts written by the model and carries on', async () => {
    const path = h.file('d.txt', 'x');
    const attempts = [
      'try { print(this.constructor.constructor("return process")().pid) } catch (e) { print("blocked", e.name) }',
      'try { await import("fs"); print("imported") } catch (e) { try { print(e.constructor.constructor("return process")().pid) } catch (e2) { print("blocked", e2.name) } }',
      'try { print(llm_query.constructor("return process")()) } catch (e) { print("blocked", e.name) }',
      'print(typeof require, typeof process, typeof setTimeout, typeof WebAssembly)',
    ];
    const { json } = await h.run(
      (req) => (turn(req) < attempts.length ? { text: repl(attempts[turn(req)] ?? '') } : { text: 'FINAL(contained)' }),
      'q',
      [path],
    );
    expect(json).toMatchObject({ status: 'completed', answer: 'contained', iterations: attempts.length + 1 });
    const shown = await h.show(json.runId as string);
    const outputs = shown.nodes.filter((n) => n.kind === 'cell').map((n) => n.output);
    expect(outputs).toEqual(['blocked EvalError\n', 'blocked EvalError\n', 'blocked EvalError\n', 'undefined undefined undefined undefined\n']);
  });
});
