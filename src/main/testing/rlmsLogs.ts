// Hand-made log records for the tests, in the shapes the reference library writes
// (rlm/core/types.py: RLMIteration, CodeBlock, REPLResult, RLMChatCompletion).

export function metadata(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'metadata',
    timestamp: '2026-11-25T10:00:00.000000',
    root_model: 'root-model',
    max_depth: 3,
    max_iterations: 5,
    backend: 'openai',
    backend_kwargs: { model_name: 'root-model' },
    environment_type: 'local',
    environment_kwargs: {},
    other_backends: null,
    ...extra,
  };
}

export interface BlockSpec {
  code?: string;
  stdout?: string;
  stderr?: string;
  calls?: Record<string, unknown>[];
}

export function block(spec: BlockSpec = {}): Record<string, unknown> {
  return {
    code: spec.code ?? "print('hi')",
    result: { stdout: spec.stdout ?? 'hi\n', stderr: spec.stderr ?? '', locals: { context: 'ctx' }, execution_time: 0.5, rlm_calls: spec.calls ?? [], final_answer: null },
  };
}

export function iteration(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'iteration',
    iteration: n,
    // Written as the library does: local time, microseconds, no zone; 10 s apart.
    timestamp: `${new Date(Date.UTC(2026, 10, 25, 10, 0, 10 * n)).toISOString().slice(0, 23)}000`,
    prompt: [
      { role: 'system', content: 'system prompt' },
      { role: 'user', content: 'Your context is a str of 3 total characters.' },
      { role: 'user', content: `Turn ${n}/5:` },
    ],
    response: `reply ${n}\n\`\`\`repl\nprint('hi')\n\`\`\``,
    code_blocks: [block()],
    final_answer: null,
    iteration_time: 2,
    ...extra,
  };
}

export function subCall(prompt: string, response: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    root_model: 'sub-model',
    prompt,
    response,
    usage_summary: { model_usage_summaries: { 'sub-model': { total_calls: 1, total_input_tokens: 10, total_output_tokens: 5, total_cost: 0.01 } }, total_cost: 0.01 },
    execution_time: 0.1,
    ...extra,
  };
}

/** An `rlm_query` child: an rlm_calls entry carrying the child's whole trajectory. */
export function childCall(prompt: string, response: string, iterations: Record<string, unknown>[]): Record<string, unknown> {
  return subCall(prompt, response, {
    root_model: 'child-model',
    metadata: { run_metadata: { root_model: 'child-model', max_depth: 3, max_iterations: 5, backend: 'openai' }, iterations },
  });
}

/** A file's text: one JSON record per line. */
export function jsonl(records: unknown[], newline = '\n'): string {
  return records.map((r) => JSON.stringify(r)).join(newline) + newline;
}

/** The text as a stream of byte chunks of the given size (split inside characters too). */
export async function* chunked(text: string | Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
