// The RlmApi contract: the one service interface the UI, the CLI and the tests use, declared
// once as a type map of methods and a type map of pushed events. Served in-process, over
// Electron IPC and over a WebSocket by the same service objects.
// Each feature declares its own slice (its methods' input schemas, results and events) in
// src/shared/api/; this module only composes them. A method added to a slice needs nothing here;
// a new slice is spread into `methodSchemas` and its results and events are extended below.
import type { z } from 'zod';
import type { CallOptions } from './cancellation';
import { appMethods, type AppCommandEvents, type AppResults } from './api/app';
import { debuggerMethods, type DebuggerEvents, type DebuggerResults } from './api/debugger';
import { documentsMethods, type DocumentsResults } from './api/documents';
import { interopMethods, type InteropResults } from './api/interop';
import { nodesMethods, type NodesResults } from './api/nodes';
import { runsMethods, type RunListEvents, type RunsEvents, type RunsResults } from './api/runs';
import { settingsMethods, type SettingsResults } from './api/settings';
import { uploadsMethods, type UploadsResults } from './api/uploads';
import type { ErrorData } from './errors';

/** Input schema of every method: the service validates each call against it. */
export const methodSchemas = {
  ...runsMethods,
  ...nodesMethods,
  ...settingsMethods,
  ...uploadsMethods,
  ...appMethods,
  ...documentsMethods,
  ...interopMethods,
  ...debuggerMethods,
} as const;

export type MethodName = keyof typeof methodSchemas;

interface MethodResults extends RunsResults, NodesResults, SettingsResults, UploadsResults, AppResults, DocumentsResults, InteropResults, DebuggerResults {}

export type MethodParams<M extends MethodName> = z.input<(typeof methodSchemas)[M]>;
export type ParsedParams<M extends MethodName> = z.output<(typeof methodSchemas)[M]>;
export type MethodResult<M extends MethodName> = MethodResults[M];

/** Events pushed to subscribers of a run. */
export interface RlmEvents extends RunsEvents, DebuggerEvents {}

/** Events that belong to no run; delivered to subscribers of every run (`subscribe(null, …)`). */
export interface AppEvents extends RunListEvents, AppCommandEvents {}

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
