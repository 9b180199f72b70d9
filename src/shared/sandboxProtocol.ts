// The protocol between the sandbox host (parent) and the sandbox process (child).
// The parent treats every message from the child as hostile: it is validated with the schemas
// in sandboxProtocolSchemas.ts before anything reads it. The child trusts the parent.
// This file holds no runtime dependency: the sandbox process loads nothing but its own code.
import type { ClockRecord } from './clockRecord';
import type { ContextInfo } from './domain/node';
import type { TextEncodingName } from './textEncoding';

/** One input of a sandbox: a file the child reads itself (UTF-8 unless `encoding` says otherwise), or text sent over IPC. */
export type ContextItem = { name: string; path: string; encoding?: TextEncodingName } | { name: string; text: string };

/** How the child gets its `context`. */
export type ContextSource =
  | { kind: 'none' }
  | {
      kind: 'items';
      items: ContextItem[];
      /** `context` is an array even for one item (several inputs, or code that passed an array). */
      asArray: boolean;
      /** A file larger than `wholeBytes` arrives in parts of this many bytes (the last one shorter). */
      partBytes: number;
      /** A file up to this many bytes is one string; ONE_STRING_MAX_BYTES, the most V8 holds, unless a test says less. */
      wholeBytes?: number;
    };

/**
 * The most characters one JavaScript string holds in V8 (2^29 - 24 on 64-bit), and so the most
 * bytes of a file that surely fit in one (a byte never decodes to more than one character).
 */
export const ONE_STRING_MAX_BYTES = 2 ** 29 - 24;

/**
 * Where a cell's Math.random values come from: the sandbox's seed, the process start it ran in
 * (0 for the first; each restart takes the next, so values after a restart never repeat ones
 * handed out before it), and how many values that start had drawn when the cell began.
 */
export interface RandomPosition {
  epoch: number;
  draws: number;
}

export interface InitMessage {
  type: 'init';
  seed: number;
  /** Which start of this sandbox's process this is: 0, then one more at each restart. */
  epoch: number;
  context: ContextSource;
  previewChars: number;
}

export interface RunCellMessage {
  type: 'cell';
  cellId: number;
  /** Transformed code (see transformCell): a script that registers the cell's async body. */
  script: string;
  timeoutMs: number;
  /** Output characters kept by the child (the rest is counted, not kept). */
  outputChars: number;
  /** Replaying a recorded cell after a restart: Date.now() returns these values in order. */
  clock?: ClockRecord;
  /** Replaying a recorded cell: Math.random draws from where the cell first drew. */
  random?: RandomPosition;
}

export interface CallResultMessage {
  type: 'callResult';
  cellId: number;
  callId: number;
  ok: boolean;
  /** The reply text, or an error message when !ok. */
  value: string;
}

export interface PingMessage {
  type: 'ping';
  id: number;
}

export type ParentMessage = InitMessage | RunCellMessage | CallResultMessage | PingMessage;

export const CALL_KINDS = ['llm', 'llm_batched', 'rlm'] as const;

/**
 * What one cell may hand the host. Every call's text is copied into the parent process (the
 * sandbox's memory cap does not cover it), so code like `for (...) llm_query(context)` on a large
 * input could otherwise exhaust the parent's memory. A prompt larger than any model reads is
 * refused; so is more text in flight at once than a child RLM's context would need.
 */
export const CALL_LIMITS = {
  /** One llm_query prompt, or one item of a batch (about a million tokens). */
  promptChars: 4_000_000,
  /** The JSON of one call (a batch, or a child RLM's query and context). */
  payloadChars: 64_000_000,
  /** All calls of one cell still waiting for their answer. */
  pendingChars: 128_000_000,
} as const;
/**
 * What one cell's report may hold, cut to size inside the sandbox before it is sent: the parent
 * kills a sandbox whose message breaks its schema, and that would lose the cell's output and
 * declarations for an error that is only long (issue 9).
 */
export const CELL_LIMITS = {
  /** An error message (a stack, FINAL_VAR's list of variables, a thrown megabyte string). */
  errorChars: 100_000,
  /** Runs of equal Date.now() values recorded per cell (see clockRecord.ts). */
  clockRuns: 50_000,
  /**
   * Host calls recorded per cell (results received, calls refused inside the sandbox): a loop of
   * refused calls can make hundreds of thousands in one cell timeout. Past this they are counted.
   */
  hostCalls: 50_000,
} as const;
export type CallKind = (typeof CALL_KINDS)[number];

/** The sandbox function behind each call kind, as error messages name it to the model. */
export const CALL_NAMES: Record<CallKind, string> = { llm: 'llm_query', llm_batched: 'llm_query_batched', rlm: 'rlm_query' };

/**
 * What the sandbox process's clock and calendar depend on besides the recorded values: the time
 * zone and locale it runs in (the machine's: its environment sets neither), which `new Date()`'s
 * text, `getHours()` and `Intl` formats read. Recorded so a replay elsewhere can run in the same.
 */
export interface SandboxEnvironment {
  timeZone: string;
  locale: string;
}

/**
 * How one cell's calls looked from inside the sandbox (DESIGN §11): the order the code received
 * their results in, and the calls it refused before they reached the host.
 */
export interface CellCallTrace {
  /**
   * The results in the order the code's promises were settled: one list of call ids per wake-up
   * of the sandbox (results that arrive together settle together, and which ones did changes how
   * the code's continuations interleave).
   */
  received: number[][];
  /** Calls refused inside the sandbox (too large, too much waiting): `at` is the id the next call taken got. */
  refused: Array<{ at: number; kind: CallKind; error: string }>;
  /** Entries past CELL_LIMITS.hostCalls, counted and not recorded. */
  cut: number;
}

export type ChildMessage =
  | { type: 'ready'; context: ContextInfo; environment: SandboxEnvironment }
  | { type: 'initFailed'; error: string }
  /** `payload` is JSON made inside the sandbox; the parent parses and validates it again. */
  | { type: 'call'; cellId: number; callId: number; kind: CallKind; payload: string }
  | CellDoneMessage
  | { type: 'pong'; id: number };

export interface CellDoneMessage {
  type: 'cellDone';
  cellId: number;
  output: string;
  /** Characters printed beyond what was kept. */
  droppedChars: number;
  error: string | null;
  timedOut: boolean;
  final: { answer: string } | null;
  clock: ClockRecord;
  /** Where this cell's Math.random values started. */
  random: RandomPosition;
  /** How many Math.random values the cell drew from there. */
  randomDraws: number;
  calls: CellCallTrace;
  workMs: number;
}
