// The two real logs of the reference library (fixtures/, copied from /work/shared/reference-logs;
// see its README). The expected figures were counted by hand, not by this parser: with python3,
// `json.loads` on every line, a new run at each `run_context`/`metadata` record, then per run the
// number of iteration records, the sum of `len(code_blocks)`, the sum of `len(result.rlm_calls)`
// (0 in both files, so no children), the last record's `final_answer` and `timestamp`, and the
// first and last line numbers.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRlmsLog } from './readRlmsLog';
import type { ImportedNode } from './types';
import { walkNodes } from './walk';

const fixture = (name: string) => createReadStream(join(__dirname, 'fixtures', name));

/** Epoch ms of a zone-less log timestamp read as UTC (the tests pass `assumeUtc`). */
const utc = (text: string) => Date.parse(`${text.slice(0, 23)}Z`) + Number(`0.${text.slice(23)}`);

function kinds(root: ImportedNode): string[] {
  return root.children.map((c) => c.kind);
}

function countKind(root: ImportedNode, kind: string, purpose?: string): number {
  let n = 0;
  for (const { node } of walkNodes(root)) if (node.kind === kind && (purpose === undefined || node.purpose === purpose)) n++;
  return n;
}

describe('the reference logs', () => {
  it('reads the January gpt-4o log: six runs split at run_context records', async () => {
    const { runs, warnings, skippedTypes } = await readRlmsLog(fixture('trace-log-example.jsonl'), { assumeUtc: true });
    expect(warnings).toEqual([]);
    expect(skippedTypes).toEqual({});
    const expected = [
      { first: 2, last: 6, iterations: 4, blocks: 3, answer: 'random_number', query: 'Generate a random number between 1 and 100.', start: '2026-01-13T13:25:38.249350', end: '2026-01-13T13:25:46.478947' },
      { first: 7, last: 10, iterations: 3, blocks: 2, answer: '15', query: 'What was the number you just generated?', start: '2026-01-13T13:25:46.700031', end: '2026-01-13T13:25:52.046101' },
      { first: 11, last: 14, iterations: 3, blocks: 1, answer: '"Blue"', query: 'Pick a color.', start: '2026-01-13T13:25:52.290050', end: '2026-01-13T13:25:56.961178' },
      { first: 15, last: 16, iterations: 1, blocks: 0, answer: '"I pick the color blue."', query: 'Why did you pick that one?', start: '2026-01-13T13:25:57.340093', end: '2026-01-13T13:25:59.211884' },
      { first: 17, last: 20, iterations: 3, blocks: 2, answer: 'x is set to 500.', query: 'Set x = 500 in the repl', start: '2026-01-13T13:26:05.619641', end: '2026-01-13T13:26:09.248283' },
      {
        first: 21,
        last: 24,
        iterations: 3,
        blocks: 2,
        answer: '1000',
        query: 'Read the value of x from the repl. do not assume the value. Then set x to the double of its value.',
        start: '2026-01-13T13:26:09.677118',
        end: '2026-01-13T13:26:13.033363',
      },
    ];
    expect(runs).toHaveLength(expected.length);
    runs.forEach((run, i) => {
      const want = expected[i]!;
      expect({ first: run.firstLine, last: run.lastLine, answer: run.answer, query: run.query, status: run.status, stopReason: run.stopReason }).toEqual({
        first: want.first,
        last: want.last,
        answer: want.answer,
        query: want.query,
        status: 'completed',
        stopReason: null,
      });
      expect(run.totals).toMatchObject({ iterations: want.iterations, turns: want.iterations, codeBlocks: want.blocks, subCalls: 0, childRlms: 0, failedCalls: 0, maxDepthReached: 0 });
      expect(run.totals.inputTokens).toBeNull();
      expect(countKind(run.root, 'llm', 'turn')).toBe(want.iterations);
      expect(countKind(run.root, 'cell')).toBe(want.blocks);
      expect(run.settings).toMatchObject({ rootModel: 'gpt-4o', backend: 'openai', environmentType: 'jupyter', maxDepth: 1, maxIterations: 30, line: 1 });
      expect(run.context?.line).toBe(want.first);
      expect(run.timesSynthesised).toBe(false);
      expect(run.startedAt).toBe(utc(want.start));
      expect(run.endedAt).toBeCloseTo(utc(want.end), 3);
      expect(run.root.payload.answer).toBe(want.answer);
    });
  });

  it('keeps each turn, its cells, the code and the output of the first run in order', async () => {
    const { runs } = await readRlmsLog(fixture('trace-log-example.jsonl'), { assumeUtc: true });
    const root = runs[0]!.root;
    // Iterations 1-4 had 1, 1, 1 and 0 code blocks.
    expect(kinds(root)).toEqual(['llm', 'cell', 'llm', 'cell', 'llm', 'cell', 'llm']);
    const cell = root.children[1]!;
    expect(cell.payload).toMatchObject({ code: 'print(completion_context)', output: 'Generate a random number between 1 and 100.\n', language: 'python' });
    expect(cell.payload.error).toBeUndefined();
    // Line 3: [system, assistant (the context description, before 2026-02-18), user].
    expect(root.payload.messages?.map((m) => m.role)).toEqual(['system', 'assistant']);
    expect(root.children[0]!.payload.prompt?.map((m) => m.role)).toEqual(['user']);
    expect(root.children[6]!.payload.text).toMatch(/^I have already generated a random number/);
    // Times never run backwards through the tree.
    let last = -Infinity;
    for (const { node } of walkNodes(root)) {
      expect(node.startedAt).toBeGreaterThanOrEqual(last);
      expect(node.endedAt).toBeGreaterThanOrEqual(node.startedAt);
      last = node.startedAt;
    }
  });

  it('reads the iteration-limit log: three turns, then the extra "final answer" record', async () => {
    const { runs, warnings } = await readRlmsLog(fixture('maxiter_2026-11-25_10-58-31_060600ff.jsonl'), { assumeUtc: true });
    expect(warnings).toEqual([]);
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run).toMatchObject({ firstLine: 2, lastLine: 5, answer: 'best-effort final answer', status: 'completed', stopReason: 'max-iterations' });
    expect(run.settings).toMatchObject({ rootModel: 'scripted-model', maxIterations: 3, maxDepth: 1, environmentType: 'local', otherBackends: null });
    expect(run.totals).toMatchObject({ iterations: 4, codeBlocks: 3, subCalls: 0, childRlms: 0 });
    // python3: sum(iteration_time) over lines 2-4 (line 5 has null).
    expect(run.totals.iterationSeconds).toBeCloseTo(0.0006171080000285656, 9);
    expect(run.startedAt).toBe(utc('2026-11-25T10:58:31.702023'));
    expect(run.endedAt).toBeCloseTo(utc('2026-11-25T10:58:31.705383'), 3);
    expect(kinds(run.root)).toEqual(['llm', 'cell', 'llm', 'cell', 'llm', 'cell', 'llm']);
    const [first, , second, , , , limit] = run.root.children;
    expect(run.root.payload.messages?.map((m) => m.role)).toEqual(['system', 'user']);
    expect(first!.payload.prompt?.[0]?.content).toMatch(/^You have not interacted with the REPL/);
    expect(second!.payload.prompt).toEqual([
      { role: 'user', content: "REPL output:\n\nstep\n\n\nREPL variables: ['answer', 'context_0', 'context']\n" },
      { role: 'user', content: 'Turn 2/3:' },
    ]);
    expect(limit!.payload.prompt?.at(-1)).toEqual({ role: 'assistant', content: "Please provide a final answer to the user's question based on the information provided." });
    expect(limit!.payload.text).toBe('best-effort final answer');
    expect(limit!.payload.notes?.[0]).toMatch(/iteration limit/);
  });
});
