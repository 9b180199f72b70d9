// How runs look on the terminal and in `--json`.
import type { NodePayload, NodeRow, RunSummary } from '../../shared/domain';
import { formatDuration, subtreeCost, usd } from '../../shared/format';

/** The `--json` summary of a run: the fields other tools depend on (README, "Command line"). */
export function summaryJson(run: RunSummary) {
  return {
    runId: run.runId,
    status: run.status,
    answer: run.answer,
    stopReason: run.stopReason,
    error: run.error,
    costUsd: run.costUsd,
    inputTokens: run.inputTokens,
    outputTokens: run.outputTokens,
    modelCalls: run.modelCalls,
    iterations: run.iterations,
    maxDepthReached: run.maxDepthReached,
    durationMs: run.durationMs,
  };
}

/** A node of `show --json`: the index row with the payload fields that apply to it. */
export function nodeJson(node: NodeRow, payload: NodePayload | null) {
  const fields: Record<string, unknown> = {
    id: node.id,
    parentId: node.parentId,
    kind: node.kind,
    depth: node.depth,
    seq: node.seq,
    status: node.status,
    startedAt: node.startedAt,
    endedAt: node.endedAt,
  };
  if (node.kind === 'llm') {
    Object.assign(fields, {
      model: node.model,
      purpose: node.purpose,
      inputTokens: node.inputTokens,
      outputTokens: node.outputTokens,
      costUsd: node.costUsd,
      text: payload?.text ?? null,
    });
    if (node.usageEstimated) fields.usageEstimated = true;
  }
  if (node.kind === 'rlm') Object.assign(fields, { model: node.model, query: payload?.query ?? null, answer: payload?.answer ?? null, costUsd: subtreeCost(node) });
  if (node.kind === 'cell') Object.assign(fields, { code: payload?.code ?? null, output: payload?.output ?? null });
  if (node.kind === 'cell' && payload?.answer !== undefined) fields.answer = payload.answer;
  if (payload?.error !== undefined) fields.error = payload.error;
  if (payload?.stopReason !== undefined) fields.stopReason = payload.stopReason;
  return fields;
}

export function runLine(run: RunSummary): string {
  const query = run.query.replace(/\s+/g, ' ');
  return [
    run.runId,
    run.status.padEnd(11),
    (run.costUsd !== null ? usd(run.costUsd) : 'unknown').padEnd(10),
    formatDuration(run.durationMs).padEnd(10),
    query.length > 60 ? `${query.slice(0, 59)}…` : query,
  ].join('  ');
}

/** One line of the tree; `level` is the node's distance from the root (indentation capped). */
export function nodeLine(node: NodeRow, level: number): string {
  const indent = '  '.repeat(Math.min(level, 16));
  const tokens = node.inputTokens !== null ? ` ${node.inputTokens}→${node.outputTokens} tok` : '';
  const cost = node.kind === 'llm' && node.costUsd !== null ? ` ${usd(node.costUsd)}` : '';
  const model = node.model ? ` ${node.model}` : '';
  return `${indent}#${node.id} ${node.kind}${node.purpose ? `:${node.purpose}` : ''} [${node.status}]${model}${tokens}${cost}  ${node.label}`;
}
