// One model call as a node of the run: counted against the limits, bounded by the run's
// concurrency, kept within the budget, streamed to subscribers, priced, and committed with its
// usage — what aborted and retried attempts may have been billed included.
import type { ChatMessage, LlmPurpose } from '../../shared/domain/node';
import type { Usage } from '../model/modelClient';
import type { CachedReply } from './callCache';
import { CallMeter, type AbandonedCharge } from './callMeter';
import { promptLabel } from './promptLabel';
import type { RunContext } from './runContext';
import { inputTokenBound, type BoundedPrefix } from './tokenBound';

export interface ModelCallSpec {
  parentId: number;
  depth: number;
  purpose: LlmPurpose;
  model: string;
  messages: ChatMessage[];
  /** What this call adds to the conversation (stored as its prompt; the rest is in earlier nodes). */
  newMessages: ChatMessage[];
  /**
   * Aborts this call only (the cell that made it is over). It must also abort when the run
   * stops — as a sandbox call's signal does: stopping a run disposes its sandboxes, which aborts
   * their calls — because it then replaces the run's signal for this call.
   */
  signal?: AbortSignal;
  /** false: the reply arrives whole, with no streamed deltas (batched sub-calls). */
  stream?: boolean;
  /** The leading messages whose token count the provider reported: tightens the input bound. */
  prefix?: BoundedPrefix;
  /** The usage of the attempt that answered, as the provider reported it. */
  onUsage?: (usage: Usage) => void;
  /** Told the call's node id once it exists (a sandbox call's recording links to it). */
  onNode?: (id: number) => void;
}

export async function callModel(run: RunContext, spec: ModelCallSpec): Promise<string> {
  // Open until what it was billed is recorded: a stopped run ends only after that (runner.ts).
  run.callBegan();
  try {
    return await meteredCall(run, spec);
  } finally {
    run.callEnded();
  }
}

async function meteredCall(run: RunContext, spec: ModelCallSpec): Promise<string> {
  const price = run.deps.prices.lookup(spec.model);
  if (!price && run.limits.maxCostUsd !== null && !run.settings.providerReportsCost) {
    // runs.start refuses such a run; a call that still names such a model must not go uncounted.
    throw new Error(unpricedModelMessage(spec.model));
  }
  // A paused run holds new sub-calls too (each is a step); a turn already passed its RLM's gate.
  if (spec.purpose === 'sub') await run.checkpoint(spec.signal);
  else run.throwIfStopped();
  // No controller of our own: the client follows this signal through one shared listener
  // (thousands of calls must not pile listeners on one signal, DESIGN §4). A call whose cell
  // ended while it queued leaves the queue, and is not counted against the call limit.
  const signal = spec.signal ?? run.signal;
  const release = await run.calls.acquire(signal);
  const { recorder } = run.deps;
  let nodeId: number | null = null;
  let meterOfCall: CallMeter | null = null;
  try {
    if (signal.aborted) throw signal.reason;
    run.beforeModelCall();
    const id = recorder.addCall(
      { parentId: spec.parentId, kind: 'llm', depth: spec.depth, label: spec.purpose === 'sub' ? promptLabel(spec.newMessages) : '…', model: spec.model, purpose: spec.purpose },
      { prompt: spec.newMessages },
    );
    // Committed (with the other calls of this turn of the loop) before the request goes out: a
    // kill then leaves the node, never a request that was not recorded. Not committed: no node.
    await recorder.committed();
    nodeId = id;
    spec.onNode?.(id);
    const meter = new CallMeter(run, spec.model, inputTokenBound(spec.messages, spec.prefix), price, signal);
    meterOfCall = meter;
    const result = await run.deps.client.complete({
      meter,
      model: spec.model,
      messages: spec.messages,
      signal,
      stream: spec.stream ?? true,
      onDelta: (delta) => recorder.streamed(id, delta),
      onRetry: () => recorder.streamReset(id),
    });
    const answered = result.providerCostUsd ?? run.deps.prices.cost(spec.model, result.usage);
    const { usage, costUsd } = withAbandoned(result.usage, answered, meter.abandoned);
    const cut = result.finishReason === 'length' ? { cutAtCap: true as const } : {};
    recorder.finishCall(id, { ...usage, costUsd }, { text: result.text, ...cut }, spec.purpose === 'turn' ? { label: result.text || '(empty reply)' } : {});
    // Nothing is told of the call (totals, its answer) before its end is committed.
    await recorder.committed();
    run.afterModelCall(usage, costUsd);
    spec.onUsage?.(result.usage);
    return result.text;
  } catch (error) {
    const abandoned = meterOfCall?.abandoned;
    if (nodeId !== null && abandoned && abandoned.attempts > 0) {
      // Given up, but the provider may have billed it: the node and the run show what it can have cost.
      const { inputTokens, outputTokens, cachedTokens, costUsd } = abandoned;
      recorder.chargeCall(nodeId, { inputTokens, outputTokens, cachedTokens, costUsd, estimated: true });
      run.afterModelCall(abandoned, costUsd);
    }
    if (nodeId !== null) {
      const stopped = run.signal.aborted || spec.signal?.aborted;
      recorder.finish(nodeId, stopped ? 'stopped' : 'failed', { error: run.stopReason?.message ?? errorMessage(error) });
    }
    throw error;
  } finally {
    release();
  }
}

/**
 * A call answered without the provider: by a fork's recording (callCache.ts) or by this run's
 * identical earlier sub-call (`dedupe`, subCallDedupe.ts) — `cached`, no request, no cost, no call
 * against the limits — or by the user's edit (a fork's branch point). Its node is recorded like a
 * call's, so the run is itself a complete recording.
 */
export async function answerWithoutCall(run: RunContext, spec: ModelCallSpec, answer: CachedReply): Promise<string> {
  // A paused run holds sub-calls too, as a live one would (meteredCall).
  if (spec.purpose === 'sub') await run.checkpoint(spec.signal);
  else run.throwIfStopped();
  if (spec.signal?.aborted) throw spec.signal.reason;
  const { recorder } = run.deps;
  const label = spec.purpose === 'sub' ? promptLabel(spec.newMessages) : '…';
  const id = recorder.addNode(
    { parentId: spec.parentId, kind: 'llm', depth: spec.depth, label, model: spec.model, purpose: spec.purpose, cached: !answer.edited },
    {
      prompt: spec.newMessages,
      ...(answer.edited ? { forkEdit: { nodeId: answer.nodeId, ...(answer.codeOf !== undefined ? { codeOf: answer.codeOf } : {}) } } : {}),
      ...(answer.dedupe ? { dedupeOf: answer.nodeId } : {}),
    },
  );
  spec.onNode?.(id);
  recorder.finish(id, 'completed', { text: answer.text }, spec.purpose === 'turn' ? { label: answer.text || '(empty reply)' } : {});
  if (!answer.edited) recorder.cachedCall();
  return answer.text;
}

/** The answered attempt's usage plus what the attempts given up on before it may have cost. */
function withAbandoned(usage: Usage, costUsd: number | null, abandoned: AbandonedCharge): { usage: Usage; costUsd: number | null } {
  if (abandoned.attempts === 0) return { usage, costUsd };
  return {
    usage: {
      inputTokens: usage.inputTokens + abandoned.inputTokens,
      outputTokens: usage.outputTokens + abandoned.outputTokens,
      cachedTokens: usage.cachedTokens,
      estimated: true,
    },
    costUsd: costUsd === null || abandoned.costUsd === null ? null : costUsd + abandoned.costUsd,
  };
}

export function unpricedModelMessage(model: string): string {
  return `${model} has no known price, so the cost limit cannot be kept: give it a price with --prices FILE, or in Settings → Prices`;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
