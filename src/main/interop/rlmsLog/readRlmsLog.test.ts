// Hand-made logs in the shapes the format took over time, and files that are no log at all.
import { describe, expect, it } from 'vitest';
import { readRlmsLog, RlmsLogError, streamRlmsLog } from './readRlmsLog';
import { block, childCall, chunked, iteration, jsonl, metadata, subCall } from '../../testing/rlmsLogs';
import { MAX_NESTING } from './trajectory';
import type { ImportedNode } from './types';
import { walkNodes } from './walk';

const read = (text: string | Uint8Array, chunk?: number) => readRlmsLog(chunked(text, chunk), { assumeUtc: true });

async function refusal(text: string | Uint8Array): Promise<string> {
  const error = await read(text).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RlmsLogError);
  return (error as RlmsLogError).code;
}

/** The node reached from `node` by taking the child at each index of `path`. */
function descend(node: ImportedNode, path: number[]): ImportedNode {
  let at = node;
  for (const i of path) at = at.children[i]!;
  return at;
}

describe('readRlmsLog', () => {
  it('splits several runs under one metadata record where the iteration number restarts', async () => {
    const text = jsonl([
      metadata(),
      iteration(1),
      iteration(2, { final_answer: 'first', code_blocks: [] }),
      iteration(1),
      iteration(2),
      iteration(3, { final_answer: 'second' }),
    ]);
    const { runs, warnings } = await read(text);
    expect(warnings).toEqual([]);
    expect(runs.map((r) => [r.firstLine, r.lastLine, r.totals.iterations, r.totals.codeBlocks, r.answer])).toEqual([
      [2, 3, 2, 1, 'first'],
      [4, 6, 3, 3, 'second'],
    ]);
    expect(runs[1]!.settings).toBe(runs[0]!.settings);
    expect(runs[1]!.settings.rootModel).toBe('root-model');
    expect(runs[1]!.startedAt).toBeGreaterThanOrEqual(runs[0]!.endedAt);
    expect(runs.every((r) => r.status === 'completed' && !r.timesSynthesised)).toBe(true);
  });

  it('starts a run at each metadata record too, even when the numbers keep rising', async () => {
    const { runs } = await read(jsonl([metadata(), iteration(1), metadata({ root_model: 'other' }), iteration(2)]));
    expect(runs.map((r) => r.settings.rootModel)).toEqual(['root-model', 'other']);
  });

  it('builds sub-calls and child RLMs under the cell that made them, with a failure three deep', async () => {
    // root → child (depth 1) → grandchild (depth 2) → a great-grandchild that failed (depth 3).
    const failed = subCall('deepest question', 'Error: Child RLM completion failed - boom', { usage_summary: { model_usage_summaries: {} } });
    const grandchild = childCall('grandchild question', 'gc answer', [
      iteration(1, { code_blocks: [block({ calls: [failed] })], final_answer: 'gc answer' }),
    ]);
    const child = childCall('child question', 'child answer', [
      iteration(1, { code_blocks: [block({ calls: [subCall('a sub question', 'a sub answer'), grandchild] })] }),
      iteration(2, { code_blocks: [], final_answer: 'child answer' }),
    ]);
    const batchFailure = subCall('batched', '', { error: 'RateLimitError: slow down' });
    const text = jsonl([metadata(), iteration(1, { code_blocks: [block({ calls: [subCall('q1', 'a1'), child, batchFailure] })] }), iteration(2, { final_answer: 'done', code_blocks: [] })]);
    const { runs, warnings } = await read(text);
    expect(warnings).toEqual([]);
    const run = runs[0]!;
    expect(run.answer).toBe('done');
    expect(run.totals).toMatchObject({ iterations: 2, turns: 5, codeBlocks: 3, subCalls: 3, childRlms: 3, failedCalls: 2, maxDepthReached: 3 });
    // Usage of the root's own calls: q1, the child (its whole subtree as reported) and the failed batch entry.
    expect(run.totals).toMatchObject({ inputTokens: 30, outputTokens: 15 });
    expect(run.totals.costUsd).toBeCloseTo(0.03, 10);

    const cell = descend(run.root, [1]);
    expect(cell.children.map((c) => [c.kind, c.purpose, c.status])).toEqual([
      ['llm', 'sub', 'completed'],
      ['rlm', null, 'completed'],
      ['llm', 'sub', 'failed'],
    ]);
    expect(cell.children[0]!).toMatchObject({ model: 'sub-model', inputTokens: 10, outputTokens: 5, costUsd: 0.01 });
    expect(cell.children[0]!.payload).toEqual({ prompt: [{ role: 'user', content: 'q1' }], text: 'a1' });
    expect(cell.children[2]!.payload.error).toBe('RateLimitError: slow down');

    const childNode = cell.children[1]!;
    expect(childNode).toMatchObject({ model: 'child-model', reportedUsage: { inputTokens: 10, outputTokens: 5, costUsd: 0.01 } });
    expect(childNode.payload).toMatchObject({ query: 'child question', answer: 'child answer' });
    expect(childNode.children.map((c) => c.kind)).toEqual(['llm', 'cell', 'llm']);
    const grandchildNode = descend(childNode, [1, 1]);
    expect(grandchildNode).toMatchObject({ kind: 'rlm', status: 'completed' });
    expect(grandchildNode.payload.answer).toBe('gc answer');
    const deepest = descend(grandchildNode, [1, 0]);
    expect(deepest).toMatchObject({ kind: 'rlm', status: 'failed', label: 'deepest question' });
    expect(deepest.payload.error).toBe('Error: Child RLM completion failed - boom');
    expect(deepest.children).toEqual([]);
    const depths = [...walkNodes(run.root)].filter((v) => v.node === deepest).map((v) => v.depth);
    expect(depths).toEqual([6]); // rlm → cell → rlm → cell → rlm → cell → rlm
  });

  it('shows a failed child that has its trajectory as a failed subtree', async () => {
    const child = childCall('q', 'Error: Child RLM completion failed - timeout', [iteration(1)]);
    const { runs } = await read(jsonl([metadata(), iteration(1, { code_blocks: [block({ calls: [child] })], final_answer: 'x' })]));
    const node = descend(runs[0]!.root, [1, 0]);
    expect(node).toMatchObject({ kind: 'rlm', status: 'failed' });
    expect(node.children.length).toBe(2);
    expect(node.payload.error).toMatch(/timeout/);
  });

  it('takes a call whose metadata holds no trajectory for a plain sub-call', async () => {
    const call = subCall('q', 'a', { metadata: { request_id: 'r1' } });
    const { runs } = await read(jsonl([metadata(), iteration(1, { code_blocks: [block({ calls: [call] })], final_answer: 'x' })]));
    expect(descend(runs[0]!.root, [1, 0])).toMatchObject({ kind: 'llm', purpose: 'sub', status: 'completed' });
    expect(runs[0]!.totals).toMatchObject({ subCalls: 1, childRlms: 0 });
  });

  it('keeps a tuple final answer of the FINAL_VAR era as JSON text, and a plain one as is', async () => {
    const { runs } = await read(jsonl([metadata(), iteration(1, { final_answer: ['FINAL_VAR', 'result'] }), iteration(1, { final_answer: 'plain ünïcødé ✓' })]));
    expect(runs.map((r) => r.answer)).toEqual(['["FINAL_VAR","result"]', 'plain ünïcødé ✓']);
  });

  it('reads usage as prompt_tokens/completion_tokens (December 2025), usage_summary, or none', async () => {
    const old = { root_model: 'm', prompt: 'p', response: 'r', prompt_tokens: 7, completion_tokens: 3, execution_time: 0.1 };
    const none = { root_model: 'm', prompt: [{ role: 'user', content: 'p' }], response: 'r', execution_time: 0.1 };
    const { runs, warnings } = await read(jsonl([metadata(), iteration(1, { code_blocks: [block({ calls: [old, none, subCall('p', 'r')] })], final_answer: 'a' })]));
    expect(warnings).toEqual([]);
    const calls = descend(runs[0]!.root, [1]).children;
    expect(calls.map((c) => [c.inputTokens, c.outputTokens, c.costUsd])).toEqual([
      [7, 3, null],
      [null, null, null],
      [10, 5, 0.01],
    ]);
    expect(runs[0]!.totals).toMatchObject({ inputTokens: 17, outputTokens: 8 });
  });

  it('reads a token count that is no whole number as unknown, and says so, rather than refuse the import', async () => {
    const half = { root_model: 'm', prompt: 'p', response: 'r', prompt_tokens: 1.5, completion_tokens: -3, execution_time: 0.1 };
    const summary = subCall('p', 'r', { usage_summary: { model_usage_summaries: { m: { total_input_tokens: 2 ** 53, total_output_tokens: 4 } } } });
    const { runs, warnings } = await read(jsonl([metadata(), iteration(1, { code_blocks: [block({ calls: [half, summary] })], final_answer: 'a' })]));
    const calls = descend(runs[0]!.root, [1]).children;
    expect(calls.map((c) => [c.inputTokens, c.outputTokens])).toEqual([[null, null], [null, 4]]);
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/the input tokens 1\.5 is not a whole number of tokens; it is read as unknown$/),
      expect.stringMatching(/the output tokens -3 is not a whole number/),
      expect.stringMatching(/the input tokens 9007199254740992 is not a whole number/),
    ]);
  });

  it('reads a truncated last line that is whole JSON, and reports one cut mid-record', async () => {
    const whole = jsonl([metadata(), iteration(1, { final_answer: 'a' })]).trimEnd();
    expect((await read(whole)).runs[0]!.answer).toBe('a');
    const cut = jsonl([metadata(), iteration(1, { final_answer: 'a' })]) + JSON.stringify(iteration(1)).slice(0, 80);
    const { runs, warnings } = await read(cut);
    expect(runs).toHaveLength(1);
    expect(warnings).toEqual([{ line: 3, message: 'line 3 is not JSON (the file ends in the middle of it); skipped' }]);
  });

  it('imports the rest of a file around lines that are not JSON or not records', async () => {
    const text = [JSON.stringify(metadata()), 'this is not json', '42', '[1, 2]', JSON.stringify(iteration(1, { final_answer: 'a' }))].join('\n');
    const { runs, warnings } = await read(text);
    expect(runs.map((r) => r.answer)).toEqual(['a']);
    expect(warnings.map((w) => w.line)).toEqual([2, 3, 4]);
    expect(warnings[0]!.message).toMatch(/^line 2 is not JSON/);
    expect(warnings[1]!.message).toBe('line 3 holds a number, not a log record; skipped');
    expect(warnings[2]!.message).toBe('line 4 holds a list, not a log record; skipped');
  });

  it('skips records of unknown types, counting them per type', async () => {
    const text = jsonl([metadata(), { type: 'compaction', summary: 's' }, iteration(1), { type: 'compaction' }, { note: 'no type' }, iteration(2, { final_answer: 'a' })]);
    const { runs, warnings, skippedTypes } = await read(text);
    expect(runs.map((r) => r.totals.iterations)).toEqual([2]);
    expect(skippedTypes).toEqual({ compaction: 2, '(none)': 1 });
    expect(warnings.map((w) => w.line)).toEqual([2, 5]);
  });

  it('keeps each warning to one readable line, whatever the file quotes into it', async () => {
    const text = jsonl([metadata(), { type: 'x'.repeat(100_000) }, iteration(1, { final_answer: 'a' })]);
    const { runs, warnings } = await read(text);
    expect(runs).toHaveLength(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/^line 2: records of type "x+ …\[99,\d{3} characters\]… x+" are not known; skipped \(all are counted\)$/);
    expect(warnings[0]!.message.length).toBeLessThanOrEqual(500);
  });

  it('reports missing and mistyped fields with their line and goes on', async () => {
    const bare = { type: 'iteration', iteration: 1 };
    const odd = { ...iteration(2), code_blocks: [{ code: 5, result: { stdout: ['x'], stderr: '', rlm_calls: 'none' } }, 'junk'], timestamp: 'yesterday' };
    const { runs, warnings } = await read(jsonl([bare, odd]));
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run.status).toBe('interrupted');
    expect(run.answer).toBeNull();
    expect(run.timesSynthesised).toBe(true);
    expect(run.settings.rootModel).toBeNull();
    const messages = warnings.map((w) => `${w.line}: ${w.message}`);
    expect(messages).toContain("1: no metadata record before line 1: the run's model and limits are unknown");
    expect(messages).toContain('1: line 1: timestamp is missing');
    expect(messages).toContain('1: line 1: code_blocks is missing');
    expect(messages).toContain('2: line 2: timestamp is not a time (yesterday); ignored');
    expect(messages).toContain('2: line 2: code_blocks[0].code is not a string (a number); ignored');
    expect(messages).toContain('2: line 2: code_blocks[0].result.stdout is not a string (a list); ignored');
    expect(messages).toContain('2: line 2: code_blocks[1] is not a code block; skipped');
    // Made-up times still never run backwards.
    let last = -Infinity;
    for (const { node } of walkNodes(run.root)) {
      expect(node.startedAt).toBeGreaterThanOrEqual(last);
      last = node.startedAt;
    }
  });

  it('reads CRLF files, a byte-order mark and UTF-8 split across chunks alike', async () => {
    const records = [metadata(), iteration(1, { final_answer: 'große Antwort — ✓ 🎉' })];
    const plain = await read(jsonl(records));
    const crlf = await read(jsonl(records, '\r\n'));
    const bom = await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(jsonl(records))]), 1);
    // The library writes non-ASCII as \u escapes (json.dump's ensure_ascii).
    const escaped = await read(jsonl(records).replace(/[\u0080-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`));
    for (const result of [crlf, bom, escaped]) {
      expect(result.warnings).toEqual([]);
      expect(result.runs).toEqual(plain.runs);
    }
    expect(plain.runs[0]!.answer).toBe('große Antwort — ✓ 🎉');
  });

  it('skips a line longer than the cap and says so', async () => {
    const text = jsonl([metadata(), { type: 'iteration', iteration: 1, response: 'x'.repeat(5000) }, iteration(1, { final_answer: 'a' })]);
    const { runs, warnings } = await readRlmsLog(chunked(text, 1000), { maxLineChars: 2000, assumeUtc: true });
    expect(runs.map((r) => r.answer)).toEqual(['a']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.line).toBe(2);
    expect(warnings[0]!.message).toMatch(/^line 2 is longer than 2000 characters/);
  });

  it('reports progress in bytes and lines, ending with the whole file', async () => {
    const text = jsonl([metadata(), iteration(1), iteration(2, { final_answer: 'a' })]);
    const seen: { bytesRead: number; lines: number }[] = [];
    await readRlmsLog(chunked(text, 100), { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.at(-1)).toEqual({ bytesRead: Buffer.byteLength(text), lines: 3 });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.bytesRead).toBeGreaterThanOrEqual(seen[i - 1]!.bytesRead);
  });

  it('hands each run over as soon as the next one starts, before reading on', async () => {
    const records = [metadata(), iteration(1), iteration(2, { final_answer: 'a' }), iteration(1), iteration(2, { final_answer: 'b' }), iteration(1, { final_answer: 'c' })];
    let linesGiven = 0;
    async function* oneLineAtATime(): AsyncGenerator<string> {
      for (const record of records) {
        linesGiven++;
        yield `${JSON.stringify(record)}\n`;
      }
    }
    const handed: { answer: string | null; index: number; linesGiven: number }[] = [];
    const summary = await streamRlmsLog(oneLineAtATime(), async (run) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      handed.push({ answer: run.answer, index: run.index, linesGiven });
    });
    // Run 1 ends at line 4 (the iteration number restarts), run 2 at line 6; the last at the end.
    // Line 5 is read only once run 1 has been taken (and the awaited callback has returned).
    expect(handed).toEqual([
      { answer: 'a', index: 0, linesGiven: 4 },
      { answer: 'b', index: 1, linesGiven: 6 },
      { answer: 'c', index: 2, linesGiven: 6 },
    ]);
    expect(summary).toMatchObject({ runCount: 3, knownRecords: 6, warnings: [] });
    expect(summary).not.toHaveProperty('runs');
  });

  it('hands nothing over from a file that is no log, and stops handing over when its callback throws', async () => {
    const handed: unknown[] = [];
    await expect(streamRlmsLog(chunked(jsonl([{ level: 'info' }, { level: 'warn' }])), (run) => void handed.push(run))).rejects.toThrow(RlmsLogError);
    const text = jsonl([metadata(), iteration(1, { final_answer: 'a' }), iteration(1, { final_answer: 'b' }), iteration(1, { final_answer: 'c' })]);
    const failing = streamRlmsLog(chunked(text, 7), (run) => {
      if (run.index === 1) throw new Error('disk full');
      handed.push(run.answer);
    });
    await expect(failing).rejects.toThrow('disk full');
    expect(handed).toEqual(['a']);
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(readRlmsLog(chunked(jsonl([metadata()])), { signal: controller.signal })).rejects.toThrow('stop');
  });

  it('does not follow child RLMs nested past the limit', async () => {
    let calls: Record<string, unknown>[] = [];
    for (let depth = 0; depth < MAX_NESTING + 50; depth++) {
      calls = [childCall(`level ${depth}`, 'ok', [iteration(1, { code_blocks: [block({ calls })], final_answer: 'ok' })])];
    }
    const { runs, warnings } = await read(jsonl([metadata(), iteration(1, { code_blocks: [block({ calls })], final_answer: 'ok' })]));
    // The levels within the limit, and one node standing for everything below.
    expect(runs[0]!.totals.childRlms).toBe(MAX_NESTING + 1);
    expect(runs[0]!.totals.maxDepthReached).toBe(MAX_NESTING + 1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain(`nested deeper than ${MAX_NESTING} levels are not imported`);
  });

  it('survives values nested far deeper than the stack (a hostile log)', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const record = JSON.stringify(iteration(1, { final_answer: 'a' })).replace('"response":"', `"response":${deep},"x":"`);
    const { runs } = await read(`${JSON.stringify(metadata())}\n${record}\n`);
    expect(runs[0]!.root.children[0]!.payload.text).toBe('[not shown: nested too deeply]');
    expect(runs[0]!.answer).toBe('a');
  });

  describe('refuses files that are no log', () => {
    it('a binary file', async () => {
      expect(await refusal(Buffer.from([0x7b, 0x22, 0x00, 0x01, 0x02, 0x0a]))).toBe('RLMS_LOG_BINARY');
      expect(await refusal(Buffer.from([0x1f, 0x8b, 0x08, 0x00]))).toBe('RLMS_LOG_BINARY');
    });

    it('an empty file, or one of blank lines', async () => {
      expect(await refusal('')).toBe('RLMS_LOG_EMPTY');
      expect(await refusal('\n  \r\n\n')).toBe('RLMS_LOG_EMPTY');
    });

    it('a JSON array, on one line or spread over many', async () => {
      const records = [metadata(), iteration(1)];
      expect(await refusal(JSON.stringify(records))).toBe('RLMS_LOG_JSON_ARRAY');
      expect(await refusal(JSON.stringify(records, null, 2))).toBe('RLMS_LOG_JSON_ARRAY');
    });

    it('JSON lines of some other program', async () => {
      expect(await refusal(jsonl([{ level: 'info', msg: 'hello' }, { level: 'warn' }]))).toBe('RLMS_LOG_NO_RECORDS');
      expect(await refusal('just some text\nover two lines\n')).toBe('RLMS_LOG_NO_RECORDS');
    });
  });
});
