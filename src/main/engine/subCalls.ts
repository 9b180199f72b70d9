// Serves what sandbox code asks of the host: `llm_query`, `llm_query_batched` and `rlm_query`.
// Each sub-call is a node under the cell that made it; a child RLM starts one level deeper, and
// past the depth limit `rlm_query` degrades to a plain sub-model call.
import type { CallLink, SandboxCall } from '../sandbox/host/cellHostCalls';
import type { RlmCache } from './callCache';
import { mayStartRlm } from './limitChecks';
import { RlmStoppedByUser, userStoppedAnswer } from './liveRlms';
import { answerWithoutCall, callModel, errorMessage, type ModelCallSpec } from './modelCall';
import { runRlm } from './rlm';
import type { RunContext } from './runContext';
import { sandboxMemoryMb } from './sandboxMemory';
import type { SubCallDedupe } from './subCallDedupe';

export interface CallSite {
  /** Depth of the RLM whose code made the call. */
  depth: number;
  /** The cell node the call belongs to. */
  cellId: number;
  /** A fork: the recorded RLM whose code made the call (callCache.ts). */
  cache: RlmCache | null;
}

/**
 * Serves one call; fills `link` with the nodes that hold its details, which the cell's recording
 * refers to instead of copying their answers (DESIGN §11).
 */
export async function serveSandboxCall(run: RunContext, site: CallSite, call: SandboxCall, signal: AbortSignal, link: CallLink): Promise<string> {
  const linkNode = (id: number) => {
    link.node = id;
  };
  switch (call.kind) {
    case 'llm':
      return subModel(run, site, call.prompt, call.model, signal, linkNode);
    case 'llm_batched': {
      // A failed item is an error string in its slot; a stopped run or cell fails the batch.
      // Batched replies come whole: streaming hundreds of them costs CPU nobody watches.
      const items: NonNullable<CallLink['items']> = call.prompts.map(() => ({}));
      link.items = items;
      const answers = await Promise.all(
        call.prompts.map((prompt, i) =>
          subModel(run, site, prompt, call.model, signal, (id) => (items[i]!.node = id), false).catch((error: unknown) => {
            if (run.signal.aborted || signal.aborted) throw error;
            const text = `Error: ${errorMessage(error)}`;
            items[i]!.error = text;
            return text;
          }),
        ),
      );
      return JSON.stringify(answers);
    }
    case 'rlm':
      return childRlm(run, site, call.query, call.context, signal, linkNode);
  }
}

function subModel(
  run: RunContext,
  site: CallSite,
  prompt: string,
  model: string | undefined,
  signal: AbortSignal,
  onNode: (id: number) => void,
  stream = true,
): Promise<string> {
  const { rootModel, subModel: defaultModel } = run.settings;
  // Code may pick the root model for a hard sub-problem, nothing else: an arbitrary model could
  // be unpriced (its cost invisible to --max-cost) or one the user never chose to pay for.
  if (model !== undefined && model !== rootModel && model !== defaultModel) {
    return Promise.reject(new Error(`llm_query: model "${model}" is not one of this run's models (${defaultModel}, ${rootModel})`));
  }
  const messages = [{ role: 'user' as const, content: prompt }];
  const spec: ModelCallSpec = { stream, parentId: site.cellId, depth: site.depth, purpose: 'sub', model: model ?? defaultModel, messages, newMessages: messages, signal, onNode };
  // Looked up as the call arrives, before any wait: equal prompts take the recorded answers in order.
  const recorded = site.cache?.sub(spec.model, prompt) ?? null;
  if (recorded) return answerWithoutCall(run, spec, recorded);
  // A fork's recording first, then this run's own earlier answers (--dedupe-subcalls).
  if (run.dedupe) return dedupedCall(run, run.dedupe, spec, prompt, signal);
  return callModel(run, spec);
}

/** A sub-call answered by this run's identical earlier one when there is one (subCallDedupe.ts). */
function dedupedCall(run: RunContext, dedupe: SubCallDedupe, spec: ModelCallSpec, prompt: string, signal: AbortSignal): Promise<string> {
  return dedupe.call({
    model: spec.model,
    prompt,
    signal,
    live: (onNode) =>
      callModel(run, {
        ...spec,
        onNode: (id) => {
          onNode(id);
          spec.onNode?.(id);
        },
      }),
    answerOf: (nodeId) => run.deps.recorder.replyOf(nodeId),
    served: (nodeId, text) => answerWithoutCall(run, spec, { text, nodeId, edited: false, dedupe: true }),
  });
}

async function childRlm(
  run: RunContext,
  site: CallSite,
  query: string,
  context: string | string[] | undefined,
  signal: AbortSignal,
  onNode: (id: number) => void,
): Promise<string> {
  const depth = site.depth + 1;
  if (!mayStartRlm(run.limits, depth)) {
    const text = context === undefined ? '' : Array.isArray(context) ? context.join('\n\n') : context;
    return subModel(run, site, text ? `${query}\n\n${text}` : query, undefined, signal, onNode);
  }
  const release = await run.children(depth).acquire(signal);
  try {
    const values = context === undefined ? [] : Array.isArray(context) ? context : [context];
    const memoryMb = sandboxMemoryMb(run.limits.sandboxMemoryMb, values.reduce((sum, text) => sum + text.length, 0));
    // Its share of the run's sandbox memory, before its sandbox starts; refused, not queued, when
    // it does not fit (sandboxMemory.ts). Held until its sandbox is disposed, however it ended.
    const releaseMemory = run.holdChildSandbox(memoryMb);
    try {
      return await startChild(run, site, query, context, memoryMb, signal, onNode);
    } finally {
      releaseMemory();
    }
  } finally {
    release();
  }
}

/**
 * The most parts a child RLM's context may have. Each part was stored as its own document, on
 * the parent's thread: a million small strings (12 M characters) blocked the parent for two
 * minutes and added 688 MB to the database (issue 9). Past this the call fails with a message
 * the model can act on.
 */
export const MAX_CHILD_CONTEXT_PARTS = 10_000;
/** Up to this many parts are stored one document each (a few large documents stay deduplicated). */
const SEPARATE_DOCUMENTS_MAX = 100;

async function startChild(
  run: RunContext,
  site: CallSite,
  query: string,
  context: string | string[] | undefined,
  memoryMb: number,
  signal: AbortSignal,
  onNode: (id: number) => void,
): Promise<string> {
  const depth = site.depth + 1;
  const values = context === undefined ? [] : Array.isArray(context) ? context : [context];
  if (values.length > MAX_CHILD_CONTEXT_PARTS) {
    throw new Error(
      `rlm_query: a context of ${values.length.toLocaleString('en-US')} parts is more than ${MAX_CHILD_CONTEXT_PARTS.toLocaleString('en-US')}; join small parts into larger strings (for example chunks of many lines) and pass those`,
    );
  }
  // Many small parts are stored as ONE document (the JSON array, boundaries kept exactly): one
  // hash and one write, not thousands.
  const documents =
    values.length <= SEPARATE_DOCUMENTS_MAX ? values.map((text) => run.deps.documents.putText(text).hash) : [run.deps.documents.putText(JSON.stringify(values)).hash];
  const child = runRlm(run, {
    cache: site.cache?.child(query, documents) ?? null,
    parentId: site.cellId,
    depth,
    query,
    model: run.settings.subModel,
    context:
      context === undefined
        ? { kind: 'none' }
        : { kind: 'items', items: values.map((text, i) => ({ name: `item ${i}`, text })), asArray: Array.isArray(context), partBytes: Number.MAX_SAFE_INTEGER },
    readablePaths: [],
    memoryMb,
    documents,
    signal,
    onNode,
  });
  // Stopped by the user, that child alone: its parent's code receives a string and goes on.
  const outcome = await child.catch((error: unknown) => {
    if (error instanceof RlmStoppedByUser) return { answer: userStoppedAnswer(error.nodeId), stopReason: null };
    throw error;
  });
  if (outcome.answer === null) throw new Error(`the child RLM ended without an answer (${outcome.stopReason ?? 'no answer'})`);
  return outcome.answer;
}
