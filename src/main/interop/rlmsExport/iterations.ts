// One RLM of a run as the reference library logs it (rlm/core/types.py: RLMIteration, CodeBlock,
// REPLResult, RLMChatCompletion; DESIGN §9): per model turn an iteration record with the whole
// message list sent, the reply, one code block per cell (stdout, stderr, locals, execution_time,
// rlm_calls, final_answer), the answer on the last; the calls a cell's code made go in its
// `rlm_calls`, a child RLM with its own trajectory under `metadata: {run_metadata, iterations}`.
// The inverse of interop/rlmsLog/trajectory.ts, which reads these back.
import type { ChatMessage, NodePayload, NodeRow } from '../../../shared/domain/node';
import { logTimestamp } from './logTime';

/** The run's nodes as a tree, and their payloads read when needed. */
export interface RunTree {
  children(id: number): readonly NodeRow[];
  payload(id: number): NodePayload | null;
  /** The answer of an RLM in full (the root's is kept whole in the run, not in its payload). */
  answer(node: NodeRow): string | null;
}

/** What the library writes about the RLM that made a log (`metadata`, and a child's `run_metadata`). */
export interface RlmSettings {
  maxDepth: number;
  maxIterations: number;
}

type Json = Record<string, unknown>;

/** The iteration records of one RLM, in order (nested ones keep their `type`, as the library writes them). */
export function* iterationRecords(tree: RunTree, rlm: NodeRow, settings: RlmSettings): Generator<Json> {
  const payload = tree.payload(rlm.id);
  // The library logs the whole message list of every call; ours keeps each turn's new messages.
  const history: ChatMessage[] = [...(payload?.messages ?? [])];
  let current: { turn: NodeRow | null; blocks: NodeRow[] } | null = null;
  const turns: { turn: NodeRow | null; blocks: NodeRow[] }[] = [];
  for (const child of tree.children(rlm.id)) {
    if (child.kind === 'llm' && child.purpose === 'turn') {
      current = { turn: child, blocks: [] };
      turns.push(current);
    } else if (child.kind === 'cell') {
      if (!current) turns.push((current = { turn: null, blocks: [] }));
      current.blocks.push(child);
    }
  }
  const answer = tree.answer(rlm);
  for (let i = 0; i < turns.length; i++) {
    const { turn, blocks } = turns[i]!;
    const turnPayload = turn ? tree.payload(turn.id) : null;
    history.push(...(turnPayload?.prompt ?? []));
    const prompt = [...history];
    const response = turnPayload?.text ?? '';
    history.push({ role: 'assistant', content: response });
    const start = turn?.startedAt ?? blocks[0]?.startedAt ?? rlm.startedAt;
    let end = turn?.endedAt ?? start;
    for (const block of blocks) end = Math.max(end, block.endedAt ?? block.startedAt);
    yield {
      type: 'iteration',
      iteration: i + 1,
      timestamp: logTimestamp(end),
      prompt,
      response,
      code_blocks: blocks.map((block) => codeBlock(tree, block, settings)),
      final_answer: i === turns.length - 1 ? answer : null,
      iteration_time: (end - start) / 1000,
    };
  }
}

function codeBlock(tree: RunTree, cell: NodeRow, settings: RlmSettings): Json {
  const payload = tree.payload(cell.id);
  // The library's stderr is "\nExcType: message"; its importer (and ours) reads any stderr as a failure.
  const stderr = payload?.error ?? (cell.status === 'failed' ? `\nError: the cell ${cell.status}` : '');
  return {
    code: payload?.code ?? '',
    result: {
      stdout: payload?.output ?? '',
      stderr,
      // The library snapshots every REPL variable here; RLMScope does not record them.
      locals: {},
      execution_time: seconds(cell),
      rlm_calls: tree.children(cell.id).flatMap((call) => (call.kind === 'rlm' ? [childCall(tree, call, settings)] : call.kind === 'llm' ? [subCall(tree, call)] : [])),
      final_answer: payload?.answer ?? null,
    },
  };
}

function subCall(tree: RunTree, node: NodeRow): Json {
  const payload = tree.payload(node.id);
  const prompt = payload?.prompt ?? [];
  const failed = node.status === 'failed';
  return {
    root_model: node.model ?? '',
    // `llm_query(prompt)` logs its prompt as the string it was given.
    prompt: prompt.length === 1 && prompt[0]!.role === 'user' ? prompt[0]!.content : prompt,
    response: failed ? '' : (payload?.text ?? ''),
    usage_summary: usageSummary([node]),
    execution_time: seconds(node),
    // A failed prompt of a batch, as the library logs it since 2026-06: an `error`, no response.
    ...(failed ? { error: payload?.error ?? 'the call failed' } : {}),
  };
}

function childCall(tree: RunTree, rlm: NodeRow, settings: RlmSettings): Json {
  const payload = tree.payload(rlm.id);
  const answer = tree.answer(rlm);
  const failed = rlm.status === 'failed';
  return {
    root_model: rlm.model ?? '',
    prompt: payload?.query ?? rlm.label,
    // How the library reports a child that raised (rlm/core/rlm.py, `_subcall`).
    response: failed ? `Error: Child RLM completion failed - ${payload?.error ?? 'unknown error'}` : (answer ?? ''),
    usage_summary: usageSummary(descendantCalls(tree, rlm.id)),
    execution_time: seconds(rlm),
    metadata: {
      run_metadata: runMetadata(rlm.model ?? '', settings),
      iterations: [...iterationRecords(tree, rlm, settings)],
    },
  };
}

/** The settings part of a `metadata` record (the root's adds `type` and `timestamp`). */
export function runMetadata(model: string, settings: RlmSettings): Json {
  return {
    root_model: model,
    max_depth: settings.maxDepth,
    max_iterations: settings.maxIterations,
    backend: 'openai',
    backend_kwargs: { model_name: model },
    // Not the library's Python REPL: RLMScope's sandbox runs JavaScript (DESIGN §3).
    environment_type: 'rlmscope-javascript',
    environment_kwargs: {},
    other_backends: null,
  };
}

function descendantCalls(tree: RunTree, id: number): NodeRow[] {
  const calls: NodeRow[] = [];
  const stack = [...tree.children(id)];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.kind === 'llm') calls.push(node);
    for (const child of tree.children(node.id)) stack.push(child);
  }
  return calls;
}

/** The library's UsageSummary over some model calls: per model, and the cost when every call had a price. */
function usageSummary(calls: readonly NodeRow[]): Json {
  const models: Record<string, { total_calls: number; total_input_tokens: number; total_output_tokens: number; total_cost?: number }> = {};
  let cost = 0;
  let unpriced = false;
  for (const call of calls) {
    if (call.inputTokens === null && call.outputTokens === null && call.costUsd === null) continue;
    const entry = (models[call.model ?? 'unknown'] ??= { total_calls: 0, total_input_tokens: 0, total_output_tokens: 0, total_cost: 0 });
    entry.total_calls++;
    entry.total_input_tokens += call.inputTokens ?? 0;
    entry.total_output_tokens += call.outputTokens ?? 0;
    if (call.costUsd === null) {
      unpriced = true;
      delete entry.total_cost;
    } else if (entry.total_cost !== undefined) entry.total_cost += call.costUsd;
    cost += call.costUsd ?? 0;
  }
  // An unknown price is unknown, never 0 (DESIGN §4): the library writes no cost then.
  return unpriced ? { model_usage_summaries: models } : { model_usage_summaries: models, total_cost: cost };
}

function seconds(node: NodeRow): number {
  return node.endedAt === null ? 0 : Math.max(0, node.endedAt - node.startedAt) / 1000;
}
