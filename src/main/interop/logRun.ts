// An imported run of the reference library's log as the store writes a whole run
// (RunRepository.insertWholeRun): ids in pre-order, RLM depths, a status as a native run would
// have, and the cost of every call the log can price. Pure: no file, no database.
import type { NodePayload } from '../../shared/domain/node';
import type { RunStatus, StopReason } from '../../shared/domain/run';
import { DEFAULT_LIMITS, type RunLimits } from '../../shared/limits';
import type { PriceTable } from '../model/prices';
import type { WholeRun, WholeRunNode } from '../store/runWrites';
import { walkNodes, type ImportedNode, type ImportedRun, type UsageFigures } from './rlmsLog';

export interface WholeRunMeta {
  runId: string;
  /** The file's name. */
  source: string;
  prices: PriceTable;
}

/** What a call the log gives no usage for says about itself. */
export const UNKNOWN_USAGE_NOTE = 'The log gives no token counts or cost for this call: its cost is unknown (counted as an unpriced call).';

export function toWholeRun(run: ImportedRun, meta: WholeRunMeta): WholeRun {
  const nodes: WholeRunNode[] = [];
  const ids = new Map<ImportedNode, { id: number; depth: number }>();
  let subModel: string | null = null;
  for (const { node, parent, seq } of walkNodes(run.root)) {
    const up = parent ? ids.get(parent) : undefined;
    // A node's depth counts RLM recursion (DESIGN §7): a cell, its sub-calls and its RLM share
    // one depth; a child RLM is one deeper than the cell that started it.
    const depth = up === undefined ? 0 : node.kind === 'rlm' ? up.depth + 1 : up.depth;
    const id = nodes.length + 1;
    ids.set(node, { id, depth });
    // The sub model: that of the first call made from code (a sub-call or a child RLM).
    if (subModel === null && node.model !== null && (depth > 0 || node.purpose === 'sub')) subModel = node.model;
    nodes.push({
      id,
      parentId: up?.id ?? null,
      kind: node.kind,
      depth,
      seq,
      status: node.status,
      startedAt: Math.round(node.startedAt),
      endedAt: Math.round(node.endedAt),
      label: node.label,
      model: node.model,
      purpose: node.purpose,
      ...usageOf(node, meta.prices),
      payload: payloadOf(node, up === undefined ? originNotes(run, meta.source) : []),
    });
  }
  const rootModel = run.settings.rootModel ?? run.root.model ?? 'unknown';
  return {
    runId: meta.runId,
    origin: 'imported',
    source: meta.source,
    createdAt: Math.round(run.startedAt),
    endedAt: Math.round(run.endedAt),
    ...statusOf(run),
    query: run.query ?? '',
    rootModel,
    subModel: subModel ?? run.settings.otherBackends?.[0] ?? rootModel,
    // Not a provider URL: the library's backend ("openai", "anthropic"…), which says where the calls went.
    baseUrl: run.settings.backend ? `rlms:${run.settings.backend}` : '',
    limits: limitsOf(run),
    seed: 0,
    answer: run.answer,
    iterations: run.totals.turns,
    maxDepthReached: run.totals.maxDepthReached,
    nodes,
  };
}

/** As a native run ends (engine/runner.ts): an answer completes it, the iteration limit without one stops it. */
function statusOf(run: ImportedRun): { status: Exclude<RunStatus, 'running' | 'paused'>; stopReason: StopReason | null; error: string | null } {
  if (run.answer !== null) return { status: 'completed', stopReason: run.stopReason, error: null };
  if (run.stopReason === 'max-iterations') return { status: 'stopped', stopReason: 'max-iterations', error: 'the iteration limit was reached without an answer' };
  // The library writes nothing more when a run raises (an error, a limit of its own): the log just ends.
  return { status: 'failed', stopReason: 'no-answer', error: 'the log ends without an answer (the library logs nothing when a run fails)' };
}

function limitsOf(run: ImportedRun): RunLimits {
  const limits: RunLimits = { ...DEFAULT_LIMITS };
  if (run.settings.maxIterations !== null) limits.maxIterations = run.settings.maxIterations;
  if (run.settings.maxDepth !== null) limits.maxDepth = run.settings.maxDepth;
  return limits;
}

type Usage = Pick<WholeRunNode, 'inputTokens' | 'outputTokens' | 'cachedTokens' | 'costUsd' | 'usageEstimated'>;

/**
 * A model call's own figures. Every `llm` node is a call, and a call always counts in the
 * roll-ups: a token count the log does not give is null with the figures marked estimated (the
 * store's "unknown", domain/node.ts usageUnknown), never 0, and its cost is unknown — never 0 USD.
 * A cost the log does not give comes from the price table when both token counts are known and
 * the model is priced.
 */
function usageOf(node: ImportedNode, prices: PriceTable): Usage {
  if (node.kind !== 'llm') return { inputTokens: null, outputTokens: null, cachedTokens: null, costUsd: null, usageEstimated: false };
  const { inputTokens, outputTokens } = node;
  let costUsd = node.costUsd;
  if (costUsd === null && inputTokens !== null && outputTokens !== null && node.model !== null) {
    costUsd = prices.cost(node.model, { inputTokens, outputTokens, cachedTokens: 0 });
  }
  return {
    inputTokens,
    outputTokens,
    cachedTokens: inputTokens === null ? null : 0,
    costUsd,
    usageEstimated: inputTokens === null || outputTokens === null,
  };
}

function payloadOf(node: ImportedNode, extraNotes: string[]): NodePayload {
  const payload: NodePayload = { ...node.payload };
  const notes = [...(payload.notes ?? []), ...extraNotes];
  if (node.kind === 'llm' && node.inputTokens === null && node.outputTokens === null && node.costUsd === null) notes.push(UNKNOWN_USAGE_NOTE);
  if (node.reportedUsage) {
    const reported = describeUsage(node.reportedUsage);
    if (reported) notes.push(`The library reported for this child RLM's whole trajectory: ${reported}. Its turns are not priced one by one in the log.`);
  }
  if (notes.length > 0) payload.notes = notes;
  return payload;
}

/** On the root: where the run came from and what the log said of its settings, which no column keeps. */
function originNotes(run: ImportedRun, source: string): string[] {
  const { settings } = run;
  const said = [
    settings.backend !== null ? `backend ${settings.backend}` : null,
    settings.environmentType !== null ? `environment ${settings.environmentType}` : null,
    settings.maxDepth !== null ? `max_depth ${settings.maxDepth}` : null,
    settings.maxIterations !== null ? `max_iterations ${settings.maxIterations}` : null,
  ].filter((part): part is string => part !== null);
  const notes = [`Imported from ${source}, lines ${run.firstLine}–${run.lastLine}: a log of the reference library (rlms)${said.length ? `; ${said.join(', ')}` : ''}. Its code is Python and is never re-executed.`];
  if (run.timesSynthesised) notes.push('The log gives no time for some steps: their times here are made up, 1 ms apart.');
  return notes;
}

function describeUsage(usage: UsageFigures): string | null {
  const parts: string[] = [];
  if (usage.inputTokens !== null) parts.push(`${usage.inputTokens.toLocaleString('en-US')} input tokens`);
  if (usage.outputTokens !== null) parts.push(`${usage.outputTokens.toLocaleString('en-US')} output tokens`);
  if (usage.costUsd !== null) parts.push(`${usage.costUsd} USD`);
  return parts.length > 0 ? parts.join(', ') : null;
}
