// The RlmApi contract: the one service interface the UI, the CLI and the tests use, declared
// once as a type map of methods and a type map of pushed events. Served in-process, over
// Electron IPC and over a WebSocket by the same service objects.
import type { z } from 'zod';
import type { CallOptions } from './cancellation';
import type {
  AppCommand,
  AppInfo,
  AppSettings,
  ConnectionReport,
  NodePayload,
  NodeRow,
  RunDetail,
  RunStatus,
  RunSummary,
  RunTotals,
  StopReason,
} from './domain';
import { documentMethodSchemas, type DocumentResults } from './documents';
import type { ErrorData } from './errors';
import type { NodeIndex } from './nodeIndex';
import {
  deleteRunSchema,
  emptyParamsSchema,
  listRunsSchema,
  nodeIndexSchema,
  nodeRefSchema,
  readValueSchema,
  runRefSchema,
  settingsUpdateSchema,
  startRunSchema,
  testConnectionSchema,
  uploadAppendSchema,
  uploadBeginSchema,
  uploadRefSchema,
} from './schemas';

/** Input schema of every method: the service validates each call against it. */
export const methodSchemas = {
  'runs.start': startRunSchema,
  'runs.list': listRunsSchema,
  'runs.get': runRefSchema,
  'runs.nodes': runRefSchema,
  'runs.nodeIndex': nodeIndexSchema,
  'nodes.get': nodeRefSchema,
  'runs.stop': runRefSchema,
  'runs.pause': runRefSchema,
  'runs.resume': runRefSchema,
  'runs.step': runRefSchema,
  'runs.delete': deleteRunSchema,
  'runs.readValue': readValueSchema,
  'settings.get': emptyParamsSchema,
  'settings.update': settingsUpdateSchema,
  'settings.testConnection': testConnectionSchema,
  'uploads.begin': uploadBeginSchema,
  'uploads.append': uploadAppendSchema,
  'uploads.cancel': uploadRefSchema,
  'app.info': emptyParamsSchema,
  ...documentMethodSchemas,
} as const;

export type MethodName = keyof typeof methodSchemas;

interface MethodResults extends DocumentResults {
  /** `warnings`: inputs that were skipped (binary files in a folder). */
  'runs.start': { runId: string; warnings: string[] };
  'runs.list': RunSummary[];
  'runs.get': RunDetail;
  /** The node index of a run, in creation order, without payloads. */
  'runs.nodes': NodeRow[];
  /**
   * The same index in its compact form (nodeIndex.ts), by pages: what the page loads, so a
   * 100,000-node run shows its first rows while the rest is on its way.
   */
  'runs.nodeIndex': NodeIndex;
  'nodes.get': NodePayload;
  'runs.stop': { status: RunStatus };
  'runs.pause': { status: RunStatus };
  'runs.resume': { status: RunStatus };
  /** Resume for one step (one model turn or one cell of any RLM), then pause again. */
  'runs.step': { status: RunStatus };
  /** Removes a finished run with its nodes and payloads (and documents no other run uses). */
  'runs.delete': { deleted: true };
  /**
   * A page of a run's whole query, answer or error (runs.list, runs.get and events carry
   * previews; `answerChars` says how long the value is): `offset` and `totalChars` in characters.
   */
  'runs.readValue': { text: string; offset: number; totalChars: number };
  'settings.get': AppSettings;
  'settings.update': AppSettings;
  'settings.testConnection': ConnectionReport;
  /** Starts receiving a file from the page; `runs.start` takes it as `{ kind: 'upload', uploadId }`. */
  'uploads.begin': { uploadId: string };
  /** `complete` once every byte announced in `uploads.begin` has arrived. */
  'uploads.append': { received: number; complete: boolean };
  'uploads.cancel': { cancelled: boolean };
  'app.info': AppInfo;
}

export type MethodParams<M extends MethodName> = z.input<(typeof methodSchemas)[M]>;
export type ParsedParams<M extends MethodName> = z.output<(typeof methodSchemas)[M]>;
export type MethodResult<M extends MethodName> = MethodResults[M];

/** Events pushed to subscribers of a run. */
export interface RlmEvents {
  'run.started': { summary: RunSummary };
  'run.nodeAdded': { node: NodeRow };
  'run.nodeUpdated': { node: NodeRow };
  /** A piece of a model reply as it streams in. */
  /** `reset`: the text streamed so far for this node is void (the call is being retried). */
  'run.replyStreamed': { nodeId: number; delta: string; reset?: boolean };
  'run.totalsChanged': { totals: RunTotals };
  'run.limitReached': { reason: StopReason; message: string };
  'run.statusChanged': { status: RunStatus };
  'run.finished': { summary: RunSummary };
}

/** Events that belong to no run; delivered to subscribers of every run (`subscribe(null, …)`). */
export interface AppEvents {
  /** The desktop app's menu asks the page to do something. */
  'app.commanded': { command: AppCommand };
  /** The list of runs changed in a way no run event tells (a run was deleted). */
  'app.runsChanged': Record<never, never>;
}

export type EventName = keyof RlmEvents;
export type AppEventName = keyof AppEvents;
export type RunEvent = { [K in EventName]: { type: K; runId: string } & RlmEvents[K] }[EventName];
export type AppEvent = { [K in AppEventName]: { type: K; runId: null } & AppEvents[K] }[AppEventName];
export type RlmEvent = RunEvent | AppEvent;

export type Unsubscribe = () => void;

export interface RlmApi {
  /** `options.signal`: the caller may cancel the call (cancellation.ts). */
  call<M extends MethodName>(method: M, params: MethodParams<M>, options?: CallOptions): Promise<MethodResult<M>>;
  /** Events of one run, or of every run and the app's own when `runId` is null. */
  subscribe(runId: string | null, listener: (event: RlmEvent) => void): Unsubscribe;
}

/** What crosses a transport for one call: `{ ok: true, value } | { ok: false, error }`. */
export type CallOutcome<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(methodSchemas, value);
}
