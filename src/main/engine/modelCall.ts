// One model call as a node of the run: counted against the limits, bounded by the run's
// concurrency, streamed to subscribers, priced, and committed with its usage.
import type { ChatMessage, LlmPurpose } from '../../shared/domain';
import { promptLabel } from './promptLabel';
import type { RunContext } from './runContext';

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
}

export async function callModel(run: RunContext, spec: ModelCallSpec): Promise<string> {
  // A paused run holds new sub-calls too (each is a step); a turn already passed its RLM's gate.
  if (spec.purpose === 'sub') await run.checkpoint();
  else run.throwIfStopped();
  // No controller of our own: the client follows this signal through one shared listener
  // (thousands of calls must not pile listeners on one signal, DESIGN §4). A call whose cell
  // ended while it queued leaves the queue, and is not counted against the call limit.
  const signal = spec.signal ?? run.signal;
  const release = await run.calls.acquire(signal);
  const { recorder } = run.deps;
  let nodeId: number | null = null;
  try {
    if (signal.aborted) throw signal.reason;
    run.beforeModelCall();
    nodeId = recorder.addNode(
      { parentId: spec.parentId, kind: 'llm', depth: spec.depth, label: spec.purpose === 'sub' ? promptLabel(spec.newMessages) : '…', model: spec.model, purpose: spec.purpose },
      { prompt: spec.newMessages },
    );
    const id = nodeId;
    const result = await run.deps.client.complete({
      model: spec.model,
      messages: spec.messages,
      signal,
      stream: spec.stream ?? true,
      onDelta: (delta) => recorder.streamed(id, delta),
      onRetry: () => recorder.streamReset(id),
    });
    const costUsd = result.providerCostUsd ?? run.deps.prices.cost(spec.model, result.usage);
    recorder.finishCall(id, { ...result.usage, costUsd }, { text: result.text }, spec.purpose === 'turn' ? { label: result.text || '(empty reply)' } : {});
    run.afterModelCall(result.usage, costUsd);
    return result.text;
  } catch (error) {
    if (nodeId !== null) {
      const stopped = run.signal.aborted || spec.signal?.aborted;
      recorder.finish(nodeId, stopped ? 'stopped' : 'failed', { error: run.stopReason?.message ?? errorMessage(error) });
    }
    throw error;
  } finally {
    release();
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
