// One model call as a node of the run: counted against the limits, bounded by the run's
// concurrency, streamed to subscribers, priced, and committed with its usage.
import type { ChatMessage, LlmPurpose } from '../../shared/domain';
import { linkAbort } from '../model/abort';
import type { RunContext } from './runContext';

export interface ModelCallSpec {
  parentId: number;
  depth: number;
  purpose: LlmPurpose;
  model: string;
  messages: ChatMessage[];
  /** What this call adds to the conversation (stored as its prompt; the rest is in earlier nodes). */
  newMessages: ChatMessage[];
  /** Aborts this call only (for example: the cell that made it is over). */
  signal?: AbortSignal;
}

export async function callModel(run: RunContext, spec: ModelCallSpec): Promise<string> {
  // A paused run holds new sub-calls too (each is a step); a turn already passed its RLM's gate.
  if (spec.purpose === 'sub') await run.checkpoint();
  else run.throwIfStopped();
  const release = await run.calls.acquire(run.signal);
  const { recorder } = run.deps;
  let nodeId: number | null = null;
  const controller = new AbortController();
  // One controller per call, following the run's and the caller's signals through linkAbort's
  // single shared listener: thousands of calls must not pile listeners on one signal (DESIGN §4).
  const unlinkRun = linkAbort(run.signal, () => controller.abort(run.signal.reason));
  const unlinkCaller = linkAbort(spec.signal, () => controller.abort(spec.signal?.reason));
  try {
    run.beforeModelCall();
    if (spec.signal?.aborted) throw spec.signal.reason;
    nodeId = recorder.addNode(
      { parentId: spec.parentId, kind: 'llm', depth: spec.depth, label: spec.purpose === 'sub' ? promptLabel(spec.newMessages) : '…', model: spec.model, purpose: spec.purpose },
      { prompt: spec.newMessages },
    );
    const id = nodeId;
    const result = await run.deps.client.complete({
      model: spec.model,
      messages: spec.messages,
      signal: controller.signal,
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
      recorder.finish(nodeId, stopped ? 'stopped' : 'failed', { error: errorMessage(error) });
    }
    throw error;
  } finally {
    unlinkRun();
    unlinkCaller();
    release();
  }
}

function promptLabel(messages: ChatMessage[]): string {
  return messages.at(-1)?.content ?? '';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
