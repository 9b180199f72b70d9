// The nodes of a run's tree (RLMs, model calls, cells): the row the tree draws and the payload
// read when one is opened. Plain data only.
import type { ClockRecord } from '../clockRecord';
import type { SandboxEnvironment } from '../sandboxProtocol';
import type { HostCalls } from './recording';
import type { StopReason } from './run';

export type NodeKind = 'rlm' | 'llm' | 'cell';
export type NodeStatus = 'running' | 'completed' | 'failed' | 'stopped' | 'interrupted';

/** `turn`: an RLM's own model call; `sub`: a call made by code through `llm_query`. */
export type LlmPurpose = 'turn' | 'sub';

/** A node of the run tree without its payload: enough to draw the tree of 100,000 nodes. */
export interface NodeRow {
  id: number;
  parentId: number | null;
  kind: NodeKind;
  depth: number;
  /** Position among the parent's children, from 0. */
  seq: number;
  status: NodeStatus;
  startedAt: number;
  endedAt: number | null;
  /** One line for the tree: the query of an RLM, the first line of a cell, the start of a reply. */
  label: string;
  model: string | null;
  purpose: LlmPurpose | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedTokens: number | null;
  /** USD of this node alone; null when unknown (no price) or not a model call. */
  costUsd: number | null;
  /**
   * The figures are estimates: the provider reported no usage (characters / 4), or they include
   * attempts given up on (cut, timed out, stopped), counted at the most they can have been billed.
   * With a token count null, that count is unknown (an imported log gave none): the call happened
   * and counts as a call, its tokens are not known (see usageUnknown).
   */
  usageEstimated: boolean;
  /**
   * A model call answered without a request: from the recording of the run this was forked from,
   * or by an identical earlier sub-call of the same run (NodePayload.dedupeOf). It cost nothing
   * (its tokens are null and it counts as no call). Set by the store.
   */
  cached?: boolean;
  /** Roll-ups over this node and everything under it. */
  subtree: SubtreeTotals;
}

export interface SubtreeTotals {
  pricedCostUsd: number;
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  modelCalls: number;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** The large parts of a node, read only when the node is opened. */
export interface NodePayload {
  /** rlm: the query it was given. */
  query?: string;
  /** rlm: the system prompt and the first user message (query and context description). */
  messages?: ChatMessage[];
  /** llm (turn): the messages added since this RLM's previous turn; llm (sub): the prompt. */
  prompt?: ChatMessage[];
  /** llm: the model's reply. */
  text?: string;
  /**
   * llm: the provider stopped the reply at the output cap it was sent (finish_reason "length"),
   * which a cost or token limit lowers near its end: a fork, whose cap may be higher, asks again.
   */
  cutAtCap?: true;
  /** cell: the code as the model wrote it. */
  code?: string;
  /** cell: the language of `code`; absent means javascript (RLMScope's own sandbox). Imported logs of the reference library are python. */
  language?: 'python' | 'javascript';
  /** cell: printed output and the value of a last expression. */
  output?: string;
  /** cell or llm or rlm: what went wrong. */
  error?: string;
  /** rlm: the answer it returned. */
  answer?: string;
  /** rlm: why it ended without its own FINAL. */
  stopReason?: StopReason;
  /** rlm: the context it was given (type, size, preview, names). */
  context?: ContextInfo;
  /** rlm: the seed of its sandbox's Math.random. */
  seed?: number;
  /** rlm: content hashes of its context's documents in the store. */
  documents?: string[];
  /** cell: Date.now() values the code read, in order: the format of runs made before issue 9, still read (see clockValues). */
  clock?: number[];
  /** cell: Date.now() values the code read, compactly (clockRecord.ts). */
  clockRecord?: ClockRecord;
  /** cell: where its Math.random values started (the sandbox protocol's RandomPosition). */
  random?: { epoch: number; draws: number };
  /** cell: how many Math.random values it drew from `random` (recording 1 on; sandboxRandom.ts derives them). */
  randomDraws?: number;
  /** cell: every host call its code made, in order, with what it received (recording.ts; recording 1 on). */
  hostCalls?: HostCalls;
  /** rlm: the time zone and locale its sandbox ran in (recording 1 on). */
  environment?: SandboxEnvironment;
  /**
   * In a fork, the step the user changed: an llm node whose reply (or a turn whose code block) was
   * replaced, or a cell whose code was. `nodeId` is the parent run's node it replaces.
   */
  forkEdit?: {
    nodeId: number;
    /** A turn whose reply holds the code of this edited cell (the parent's), replaced: the edit is that cell's. */
    codeOf?: number;
  };
  /**
   * llm (sub, cached): answered by the identical (model, prompt) sub-call at this node of the same
   * run, with no request (--dedupe-subcalls, issue 13).
   */
  dedupeOf?: number;
  /** cell: notes from the engine (sandbox restarted, answer ignored, blocks skipped); rlm: a note from the user delivered, a fork's edit not reached. */
  notes?: string[];
  /** The root rlm: what the user did to single RLMs while the run went (issue 13); a re-execution would not do it again. */
  steering?: UserSteering;
}

/** RLMs (node ids) the user stopped, and those the user sent notes that they read. */
export interface UserSteering {
  stopped: number[];
  noted: number[];
}

export interface ContextInfo {
  kind: 'string' | 'array';
  /** Characters in all. */
  length: number;
  /** For arrays: the number of items. */
  items?: number;
  /** For arrays: one name per item (file names, or "name (part k/n)"). */
  names?: string[];
  /** Per item lengths, for arrays. */
  itemLengths?: number[];
  /** The start of the text (of the first item for arrays). */
  preview: string;
  /** The input was too large for one string and arrives in parts. */
  split?: boolean;
}

/**
 * A model call whose token counts are unknown, not zero: an imported log gave none for it. It
 * counts as a call of unknown cost; its tokens are shown as unknown.
 */
export function usageUnknown(node: Pick<NodeRow, 'inputTokens' | 'outputTokens' | 'usageEstimated'>): boolean {
  return node.usageEstimated && (node.inputTokens === null || node.outputTokens === null);
}

/** Whether the node is a model call the totals count: its usage was recorded, or is known to be unknown. */
export function countsAsCall(node: Pick<NodeRow, 'inputTokens' | 'outputTokens' | 'usageEstimated'>): boolean {
  return node.inputTokens !== null || usageUnknown(node);
}

export function emptySubtree(): SubtreeTotals {
  return { pricedCostUsd: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, modelCalls: 0 };
}
