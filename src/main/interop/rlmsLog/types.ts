// What importing a log of the reference Python library (`rlms`, github.com/alexzhang13/rlm)
// produces: runs whose trees are shaped like RLMScope's own (src/shared/domain/node.ts), so the store
// can take them as they are. Plain data only, like the domain types.
import type { LlmPurpose, NodeKind, NodePayload, NodeStatus } from '../../../shared/domain/node';
import type { StopReason } from '../../../shared/domain/run';

/** A problem with one line or field of the log; the import goes on. `line` is 1-based. */
export interface RlmsLogWarning {
  line: number | null;
  message: string;
}

/** The payload of an imported node: RLMScope's own, plus the language of a cell's code. */
export interface ImportedPayload extends NodePayload {
  /** cell: the library runs Python only. */
  language?: 'python';
}

/** Token and cost figures as the log reports them; null where it reports nothing. */
export interface UsageFigures {
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
}

export interface ImportedNode extends UsageFigures {
  kind: NodeKind;
  status: NodeStatus;
  /** Epoch milliseconds; see ImportedRun.timesSynthesised. */
  startedAt: number;
  endedAt: number;
  /** One line for the tree. */
  label: string;
  model: string | null;
  purpose: LlmPurpose | null;
  payload: ImportedPayload;
  children: ImportedNode[];
  /**
   * A child RLM: what the library reported for its whole trajectory (its own calls are not
   * priced one by one on its turn nodes, the log does not say).
   */
  reportedUsage?: UsageFigures;
}

/** The RLM's settings, from the file's `metadata` record (null where the log does not say). */
export interface RlmsRunSettings {
  rootModel: string | null;
  backend: string | null;
  backendKwargs: Record<string, unknown> | null;
  environmentType: string | null;
  environmentKwargs: Record<string, unknown> | null;
  maxDepth: number | null;
  maxIterations: number | null;
  otherBackends: string[] | null;
  /** When the metadata record was written (epoch ms), and on which line. */
  loggedAt: number | null;
  line: number | null;
}

/** A `run_context` record (written by a modified library, see fixtures/trace-log-example.jsonl). */
export interface RlmsRunContext {
  /** The prompt given to `completion()`: a string as is, anything else as JSON text. */
  prompt: string | null;
  rootPrompt: string | null;
  sessionMode: boolean | null;
  environmentType: string | null;
  line: number;
}

export interface ImportedTotals extends UsageFigures {
  /** Turns of the root RLM (the iteration records of the run). */
  iterations: number;
  /** Turns of every RLM in the tree. */
  turns: number;
  codeBlocks: number;
  subCalls: number;
  childRlms: number;
  /** Sub-calls and child RLMs that failed. */
  failedCalls: number;
  /** Deepest RLM reached: the root is 0. */
  maxDepthReached: number;
  /** Sum of the root's `iteration_time`, in seconds; null when no record has one. */
  iterationSeconds: number | null;
}

export interface ImportedRun {
  /** Position in the file, from 0. */
  index: number;
  firstLine: number;
  lastLine: number;
  settings: RlmsRunSettings;
  context: RlmsRunContext | null;
  query: string | null;
  /** The last iteration's `final_answer` as the log has it (a list as JSON text); null when none. */
  answer: string | null;
  /** 'interrupted': the log ends without an answer (the library logs nothing when a limit raises). */
  status: 'completed' | 'interrupted';
  stopReason: StopReason | null;
  /**
   * Tokens and cost are those of the calls made from code (`rlm_calls`) as the library reported
   * them; the root model's own turns carry no usage in the log.
   */
  totals: ImportedTotals;
  startedAt: number;
  endedAt: number;
  /** Some node times were made up (1 ms steps) because the log had no timestamp or duration. */
  timesSynthesised: boolean;
  root: ImportedNode;
}

export interface RlmsLogImport extends RlmsLogSummary {
  runs: ImportedRun[];
}

/** What reading a log found besides its runs (which streamRlmsLog hands over as they end). */
export interface RlmsLogSummary {
  /** Runs read from the file, whether handed over or returned. */
  runCount: number;
  warnings: RlmsLogWarning[];
  /** Warnings past the kept maximum, counted only. */
  warningsDropped: number;
  /** Records of a type the importer does not know, by type (`(none)` for records without one). */
  skippedTypes: Record<string, number>;
  /** Records of a known type (metadata, run_context, iteration). */
  knownRecords: number;
}
