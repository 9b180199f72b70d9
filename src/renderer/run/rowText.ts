// What each column of a tree row (and the detail pane's summary) says about a node. Costs
// follow the project's rule: an unknown price is "unknown", never $0.
import { countsAsCall, usageUnknown, type NodePayload, type NodeRow, type NodeStatus } from '../../shared/domain/node';
import type { RunStatus, StopReason } from '../../shared/domain/run';
import { formatCost, formatDuration, formatTokens, subtreeCost, tokensUnknown, usd } from '../../shared/format';

export interface KindTag {
  /** Short tag shown in the row. */
  tag: string;
  /** The same in words, for tooltips and the detail pane. */
  title: string;
}

export function kindTag(node: NodeRow): KindTag {
  if (node.kind === 'rlm') return { tag: 'RLM', title: node.depth > 0 ? `Child RLM (depth ${node.depth})` : 'Root RLM' };
  if (node.kind === 'cell') return { tag: 'cell', title: 'Code cell' };
  return node.purpose === 'sub' ? { tag: 'LLM sub', title: 'Sub-call (llm_query)' } : { tag: 'LLM turn', title: 'Model turn' };
}

/** A node's status as the tree shows it: a node itself is never paused, but an RLM can wait. */
export type ShownStatus = NodeStatus | 'paused';

export const STATUS_ICON: Record<ShownStatus, string> = {
  running: '●',
  paused: '‖',
  completed: '✓',
  failed: '✕',
  stopped: '■',
  interrupted: '!',
};

/**
 * What a node's status reads as. In a paused run every RLM still going waits at its gate (the
 * next step is held; DESIGN §7 controls), so it says paused, not running. Calls and cells already
 * under way do run on to their end, and keep saying running until they do.
 */
export function shownStatus(node: Pick<NodeRow, 'kind' | 'status'>, runStatus: RunStatus | null): ShownStatus {
  return runStatus === 'paused' && node.kind === 'rlm' && node.status === 'running' ? 'paused' : node.status;
}

/** Whether the row is a parent that rolls up what is under it (RLMs and cells). */
export function rollsUp(node: NodeRow): boolean {
  return node.kind !== 'llm';
}

/**
 * What a call answered without a request says about itself (NodeRow.cached): it sent no request
 * and cost nothing, so it has no tokens or cost of its own, and is not a call of unknown usage
 * either. The row does not know which way it was answered (its payload does: cachedWhy).
 */
export const CACHED_TITLE = 'answered from the recording of the run this was forked from, or by an identical earlier sub-call (--dedupe-subcalls): no request, no cost';

/** A fork's call answered from its parent's recording. */
export const FORK_CACHED_TITLE = 'answered from the recording of the run this was forked from: no request, no cost';

/** Why a cached call cost nothing, once its payload is read (NodePayload.dedupeOf); the row's words before. */
export function cachedWhy(payload: Pick<NodePayload, 'dedupeOf'> | null): string {
  if (!payload) return CACHED_TITLE;
  if (payload.dedupeOf !== undefined) return `answered by the identical sub-call at node ${payload.dedupeOf} (--dedupe-subcalls): no request, no cost`;
  return FORK_CACHED_TITLE;
}

/** Input→output tokens: the call's own, or for a parent everything under it; null when none (and for a cached call). */
export function tokensText(node: NodeRow): string | null {
  if (node.cached) return null;
  if (rollsUp(node)) {
    const s = node.subtree;
    if (s.modelCalls === 0) return null;
    return tokensUnknown(s) ? '?→?' : `${formatTokens(s.inputTokens)}→${formatTokens(s.outputTokens)}`;
  }
  if (usageUnknown(node)) return `${tokenCount(node.inputTokens)}→${tokenCount(node.outputTokens)}`;
  if (node.inputTokens === null && node.outputTokens === null) return null;
  const text = `${formatTokens(node.inputTokens ?? 0)}→${formatTokens(node.outputTokens ?? 0)}`;
  return node.usageEstimated ? `~${text}` : text;
}

/** A token count for the row: "?" where it is unknown. */
function tokenCount(count: number | null): string {
  return count === null ? '?' : formatTokens(count);
}

export interface CostText {
  /** Short, for the row. */
  text: string;
  /** Complete, for a tooltip and the detail pane. */
  full: string;
  unknown: boolean;
}

/** The cost of a call, or the rolled-up cost of a parent's subtree; null when there is none yet. */
export function costText(node: NodeRow): CostText | null {
  if (rollsUp(node)) {
    const s = node.subtree;
    if (s.modelCalls === 0) return null;
    const cost = subtreeCost(node);
    const full = `${cost !== null ? usd(cost) : formatCost(cost, s.pricedCostUsd, s.unpricedCalls)} for ${s.modelCalls.toLocaleString('en-US')} call${s.modelCalls === 1 ? '' : 's'} below`;
    if (cost !== null) return { text: usd(cost), full, unknown: false };
    return { text: s.pricedCostUsd > 0 ? `≥ ${usd(s.pricedCostUsd)}` : 'unknown', full, unknown: true };
  }
  if (node.cached) return { text: '—', full: `no cost: ${CACHED_TITLE}`, unknown: false };
  if (node.costUsd !== null) return { text: usd(node.costUsd), full: usd(node.costUsd), unknown: false };
  // A call still running has no cost yet. One that failed before the provider reported usage
  // counts in no total (the run's cost and calls count answered calls): a dash, not "unknown".
  if (node.status === 'running') return null;
  if (node.status !== 'completed' && !countsAsCall(node)) {
    return { text: '—', full: 'no usage: the call ended before the provider reported any', unknown: false };
  }
  // A completed call with no usage at all was never sent: in a fork, the reply the user wrote
  // (the edited step) stands in for the model's. Every call sent has usage, reported or estimated.
  if (!countsAsCall(node)) return { text: '—', full: "none: the fork's edit, never sent to a model", unknown: false };
  return { text: 'unknown', full: 'cost unknown: no price for this model, or no usage reported', unknown: true };
}

/** The node's duration, or how long it has been running (in whole seconds: it ticks once a second). */
export function timeText(node: NodeRow, now: number): string {
  if (node.endedAt !== null) return formatDuration(Math.max(0, node.endedAt - node.startedAt));
  if (node.status !== 'running') return '—';
  const seconds = Math.floor(Math.max(0, now - node.startedAt) / 1000);
  return seconds < 1 ? '<1 s' : formatDuration(seconds * 1000);
}

const STOP_REASONS: Record<StopReason, string> = {
  user: 'stopped by the user',
  'max-iterations': 'reached its limit of model turns',
  'max-calls': 'reached the limit of model calls',
  'max-tokens': 'reached the token limit',
  'max-cost': 'reached the cost limit',
  'max-seconds': 'reached the time limit',
  runaway: 'stopped as a runaway (repeating the same work)',
  'no-answer': 'ended without an answer',
  error: 'ended by an error',
};

/** Why a run or an RLM ended without its own answer, in words. */
export function stopReasonText(reason: StopReason): string {
  return STOP_REASONS[reason] ?? reason;
}
