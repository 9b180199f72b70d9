// Domain types shared by every side: the engine, the store, the CLI and the UI.
// Plain data only: everything here crosses IPC, WebSocket and JSON unchanged.
import type { ClockRecord } from './clockRecord';
import type { RunLimits } from './limits';

export type RunStatus = 'running' | 'paused' | 'completed' | 'stopped' | 'failed' | 'interrupted';
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['running', 'paused'];

export type NodeKind = 'rlm' | 'llm' | 'cell';
export type NodeStatus = 'running' | 'completed' | 'failed' | 'stopped' | 'interrupted';

/** `turn`: an RLM's own model call; `sub`: a call made by code through `llm_query`. */
export type LlmPurpose = 'turn' | 'sub';

/** Why a run (or one RLM in it) ended without — or before — its own answer. */
export type StopReason =
  | 'user'
  | 'max-iterations'
  | 'max-calls'
  | 'max-tokens'
  | 'max-cost'
  | 'max-seconds'
  | 'runaway'
  | 'no-answer'
  | 'error';

// Declared with their flags, ranges and labels in one table (limits.ts).
export { DEFAULT_LIMITS, type RunLimits } from './limits';

export interface RunTotals {
  /** USD of the whole run, or null when some call had no known price (see `unpricedCalls`). */
  costUsd: number | null;
  /** USD of the calls whose price is known. */
  pricedCostUsd: number;
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  modelCalls: number;
  /** Model turns over all RLMs of the run. */
  iterations: number;
  maxDepthReached: number;
}

/** One row of the runs list; also the `--json` output of `rlmscope run`. */
export interface RunSummary extends RunTotals {
  runId: string;
  status: RunStatus;
  answer: string | null;
  stopReason: StopReason | null;
  error: string | null;
  query: string;
  rootModel: string;
  subModel: string;
  createdAt: number;
  endedAt: number | null;
  durationMs: number | null;
  /**
   * The true length, in characters, of query, answer and error: those fields are previews
   * (src/shared/valuePreview.ts) and a longer value is read whole with `runs.readValue`.
   * Set by the store; absent only in summaries built by hand.
   */
  queryChars?: number;
  answerChars?: number | null;
  errorChars?: number | null;
}

export interface InputDescription {
  name: string;
  bytes: number;
  hash: string;
}

export interface RunDetail extends RunSummary {
  limits: RunLimits;
  baseUrl: string;
  inputs: InputDescription[];
}

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
   */
  usageEstimated: boolean;
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
  /** cell: the code as the model wrote it. */
  code?: string;
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
  /** cell: notes from the engine (sandbox restarted, answer ignored, blocks skipped). */
  notes?: string[];
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

export function emptyTotals(): RunTotals {
  return {
    costUsd: 0,
    pricedCostUsd: 0,
    unpricedCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    modelCalls: 0,
    iterations: 0,
    maxDepthReached: 0,
  };
}

export function emptySubtree(): SubtreeTotals {
  return { pricedCostUsd: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, modelCalls: 0 };
}

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  /** Price of prompt tokens served from the provider's cache; the input price when absent. */
  cachedInput?: number;
  output: number;
}

/** Where the API key of new runs comes from. */
export type ApiKeySource = 'stored' | 'environment' | 'none';

/**
 * The app's settings as the UI sees them. The API key itself never leaves the main process:
 * only whether one is stored, and where the key in use comes from.
 */
export interface AppSettings {
  baseUrl: string;
  apiKeyStored: boolean;
  apiKeySource: ApiKeySource;
  rootModel: string;
  subModel: string;
  /** Defaults of new runs (a run may override each). */
  limits: RunLimits;
  /** The user's price overrides, by model id. */
  prices: Record<string, ModelPrice>;
  /** The bundled price table, for display (read-only). */
  defaultPrices: Record<string, ModelPrice>;
}

/** What `settings.testConnection` found; a failure is a result to show, not a thrown error. */
export interface ConnectionReport {
  ok: boolean;
  /** One line for the user: what worked, or what went wrong and what to try. */
  message: string;
  latencyMs: number;
  /** Model ids the endpoint lists (at most 200), when it lists them. */
  models: string[];
}

/** Where this RlmApi is served: the desktop app (IPC) or browser mode (WebSocket). */
export interface AppInfo {
  mode: 'desktop' | 'browser' | 'node';
  version: string;
  /** The database file. */
  dbPath: string;
}

/** Commands that reach the UI from outside the page (the desktop app's menu). */
export type AppCommand = 'newRun' | 'openFiles' | 'stopRun' | 'settings' | 'runs';
