// The RlmApi served by plain objects under Node: the CLI calls it in-process, the desktop app
// over IPC, browser mode over a WebSocket — all through `call` and `subscribe`, the same way.
// An orchestrator: settings, uploads, run deletion and the engine live in their own modules.
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { version as packageVersion } from '../../../package.json';
import type { MethodName, MethodResult, ParsedParams, RlmApi, RlmEvent, Unsubscribe } from '../../shared/api';
import { methodSchemas } from '../../shared/api';
import type { AbortSignalLike, CallOptions } from '../../shared/cancellation';
import type { AppCommand, RunLimits, RunStatus, RunSummary } from '../../shared/domain';
import { ACTIVE_RUN_STATUSES } from '../../shared/domain';
import { RlmError } from '../../shared/errors';
import { NODE_INDEX_ENCODING } from '../../shared/nodeIndex';
import type { RunInput } from '../../shared/schemas';
import { Recorder } from '../engine/recorder';
import { RunContext } from '../engine/runContext';
import { resolveInputs } from '../input/resolveInputs';
import { testConnection } from '../settings/connectionTest';
import { capStrings, cutMarker, SHOW_PREVIEW_CHARS } from '../../shared/valuePreview';
import { closeDatabase, openDatabase } from '../store/database';
import { DocumentStore } from '../store/documentStore';
import { ownerCheck } from '../store/ownerCheck';
import { prepareRunDeletion, type DeleteRun } from '../store/runDeletion';
import { RunStore } from '../store/runStore';
import { checkCostLimit } from './costLimit';
import { documentHandlers } from './documents';
import { EventBus } from './eventBus';
import { fixedSettings, type SettingsSource } from './fixedSettings';
import { ModelClients } from './modelClients';
import { executeWithInputs } from './runExecution';
import { newRunId } from './runId';
import type { ServiceConfig } from './serviceConfig';
import { Uploads } from './uploads';

export type { ServiceConfig };

interface ActiveRun {
  context: RunContext;
  done: Promise<RunSummary>;
}

/** A run whose owner has not written a heartbeat for this long is considered gone. */
const STALE_OWNER_MS = 60_000;
/** How often a live run tells other processes that its owner is alive (well under STALE_OWNER_MS). */
const HEARTBEAT_MS = 5000;

/** `signal`: aborted when the caller cancels the call or goes away; a handler may ignore it. */
type Handlers = { [M in MethodName]: (params: ParsedParams<M>, signal?: AbortSignalLike) => Promise<MethodResult<M>> };

export class RlmService implements RlmApi {
  readonly store: RunStore;
  private readonly documents: DocumentStore;
  private readonly deleteRun: DeleteRun;
  private readonly bus = new EventBus();
  private readonly active = new Map<string, ActiveRun>();
  private readonly settings: SettingsSource;
  private readonly clients: ModelClients;
  private readonly uploads: Uploads;
  /** Aborted on close: what still waits on the network (a connection test) gives up. */
  private readonly lifetime = new AbortController();
  private readonly handlers: Handlers;
  private closed = false;

  private constructor(
    private readonly config: ServiceConfig,
    private readonly db: ReturnType<typeof openDatabase>,
  ) {
    this.store = new RunStore(db);
    this.documents = new DocumentStore(db);
    this.deleteRun = prepareRunDeletion(db);
    this.settings = config.settings ?? fixedSettings(config);
    this.clients = new ModelClients(config.client);
    this.uploads = new Uploads(config.uploadsDir ?? uploadsBeside(config.dbPath), config.uploadLimits);
    this.handlers = {
      'runs.start': (p) => this.start(p),
      'runs.list': async (p) => this.store.listRuns(p),
      'runs.get': async ({ runId }) => this.store.getRun(runId) ?? notFound(runId),
      'runs.nodes': async ({ runId }) => {
        if (!this.store.getRun(runId)) notFound(runId);
        return this.store.getNodes(runId);
      },
      'runs.nodeIndex': async ({ runId, afterId, limit }) => {
        if (!this.store.getRun(runId)) notFound(runId);
        const page = this.store.getNodeIndexPage(runId, afterId, limit);
        return { encoding: NODE_INDEX_ENCODING, json: page.json, lastId: page.lastId, complete: limit === undefined || page.count < limit, total: page.total };
      },
      'nodes.get': async ({ runId, nodeId }) => {
        const payload = this.store.getPayload(runId, nodeId);
        if (!payload) throw new RlmError('NOT_FOUND', `run ${runId} has no node ${nodeId}`);
        // One message never carries an unbounded value (issue 9): a longer string is cut, and
        // says how long it was and where the whole of it is.
        return capStrings(payload, SHOW_PREVIEW_CHARS, cutMarker);
      },
      'runs.readValue': async ({ runId, field, offset, length }) => {
        const page = this.store.readValue(runId, field, offset, length);
        if (!page) throw new RlmError('NOT_FOUND', `run ${runId} has no ${field}`);
        return page;
      },
      'runs.stop': (p) => this.stop(p.runId),
      'runs.pause': async ({ runId }) => this.control(runId, (run) => run.pause()),
      'runs.resume': async ({ runId }) => this.control(runId, (run) => run.resume()),
      'runs.step': async ({ runId }) => this.control(runId, (run) => run.gate.step()),
      'runs.delete': async ({ runId }) => this.delete(runId),
      'settings.get': async () => this.settings.get(),
      'settings.update': async (patch) => this.settings.update(patch),
      'settings.testConnection': (p) => {
        const saved = this.settings.resolved();
        const baseUrl = p.baseUrl ?? saved.baseUrl;
        // SECURITY: a key the caller did not type goes only to the base URL it belongs to
        // (keyFor); the page's token must not be enough to send the saved key anywhere else.
        const target = { baseUrl, apiKey: p.apiKey ?? this.settings.keyFor(baseUrl), model: p.model ?? saved.rootModel };
        return testConnection(target, { timeoutMs: config.connectionTimeoutMs, signal: this.lifetime.signal });
      },
      'uploads.begin': (p) => this.uploads.begin(p),
      'uploads.append': (p) => this.uploads.append(p),
      'uploads.cancel': ({ uploadId }) => this.uploads.cancel(uploadId),
      'app.info': async () => ({
        mode: config.mode ?? 'node',
        version: config.version ?? packageVersion,
        dbPath: isInMemory(config.dbPath) ? config.dbPath : resolve(config.dbPath),
      }),
      ...documentHandlers(db),
    };
  }

  /** Opens the database and marks runs whose process died mid-run as interrupted. */
  static open(config: ServiceConfig): RlmService {
    const db = openDatabase(config.dbPath, config.nativeBinding ? { nativeBinding: config.nativeBinding } : {});
    const service = new RlmService(config, db);
    service.store.markInterrupted(ownerCheck({ now: Date.now(), staleMs: STALE_OWNER_MS }), Date.now());
    // A node left `running` inside a run that ended (issue 9) ends with its run.
    service.store.endLeftoverNodes();
    return service;
  }

  async call<M extends MethodName>(method: M, params: unknown, options?: CallOptions): Promise<MethodResult<M>> {
    if (this.closed) throw new RlmError('INTERNAL', 'the service is closed');
    const schema = methodSchemas[method];
    if (!schema) throw new RlmError('INVALID_INPUT', `unknown method ${String(method)}`);
    const parsed = schema.safeParse(params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RlmError('INVALID_INPUT', `${method}: ${issue?.path.join('.') || 'params'}: ${issue?.message ?? 'invalid'}`);
    }
    const handler = this.handlers[method] as (params: unknown, signal?: AbortSignalLike) => Promise<MethodResult<M>>;
    return handler(parsed.data, options?.signal);
  }

  subscribe(runId: string | null, listener: (event: RlmEvent) => void): Unsubscribe {
    return this.bus.subscribe(runId, listener);
  }

  /** Passes a command from outside the page (the desktop app's menu) to every subscriber. */
  notify(command: AppCommand): void {
    this.bus.emit({ type: 'app.commanded', runId: null, command });
  }

  /** Resolves when the run ends (at once for a run already over). */
  async waitForRun(runId: string): Promise<RunSummary> {
    const active = this.active.get(runId);
    if (active) return active.done;
    const run = this.store.getRun(runId);
    if (!run) notFound(runId);
    return run;
  }

  /** Stops every active run, deletes the uploads and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    // Closed first: no run may start on a database about to close.
    this.closed = true;
    this.lifetime.abort();
    await Promise.allSettled([...this.active.keys()].map((runId) => this.stop(runId)));
    await this.uploads.close().catch(() => undefined);
    closeDatabase(this.db);
  }

  private async start(params: ParsedParams<'runs.start'>): Promise<MethodResult<'runs.start'>> {
    // Read once, at the start: a settings change mid-run applies to the next run only.
    const resolved = this.settings.resolved();
    // SECURITY: in browser mode the page sends its files (uploads); it may not name paths on this
    // machine. A script injected into the page could otherwise read any file the user can and,
    // with settings.update pointing the provider elsewhere, send it out.
    if (this.config.mode === 'browser' && params.inputs.some((input) => input.kind === 'path')) {
      throw new RlmError('INVALID_INPUT', 'in browser mode, add files from the page (drop or pick them); paths on the server are not read');
    }
    const limits: RunLimits = { ...resolved.limits, ...params.limits };
    const rootModel = params.rootModel ?? resolved.rootModel;
    const subModel = params.subModel ?? resolved.subModel;
    // Before any request and before the inputs are read: a cost limit that cannot hold is refused.
    const costCheck = checkCostLimit({ limits, rootModel, subModel, prices: resolved.prices, baseUrl: resolved.baseUrl });
    const inputs = await resolveInputs(params.inputs, { upload: (uploadId) => this.uploads.received(uploadId) });
    const claim = this.uploads.claim(uploadIdsOf(params.inputs));
    const runId = newRunId();
    const settings = {
      runId,
      query: params.query,
      rootModel,
      subModel,
      limits,
      seed: params.seed ?? Math.floor(Math.random() * 2 ** 31),
      providerReportsCost: costCheck.providerReportsCost,
    };
    try {
      this.store.createRun({
        runId,
        createdAt: Date.now(),
        query: settings.query,
        rootModel: settings.rootModel,
        subModel: settings.subModel,
        baseUrl: resolved.baseUrl,
        limits,
        seed: settings.seed,
        ownerPid: process.pid,
        ownerHost: hostname(),
      });
    } catch (error) {
      // No run took them: the uploads wait for the next try.
      claim.unclaim();
      throw error;
    }
    const recorder = new Recorder(this.store, runId, (event) => this.bus.emit(event));
    const context = new RunContext(settings, {
      client: this.clients.for(resolved.baseUrl, resolved.apiKey),
      prices: resolved.prices,
      launcher: this.config.launcher,
      recorder,
      documents: this.documents,
    });
    // A failed write (a full disk) stops the run at once: no model call is made that could not be recorded.
    recorder.whenStoreFails((message) => context.stop('error', message));
    const summary = this.store.getRun(runId);
    if (summary) this.bus.emit({ type: 'run.started', runId, summary });
    // From the first moment: storing a large input can take longer than STALE_OWNER_MS.
    const heartbeat = setInterval(() => recorder.heartbeat(), HEARTBEAT_MS);
    heartbeat.unref();
    const done = executeWithInputs(context, inputs, this.store, this.documents).finally(async () => {
      clearInterval(heartbeat);
      this.active.delete(runId);
      // The sandbox read the uploaded files from their paths until now; the store keeps a copy.
      await claim.release().catch(() => undefined);
    });
    // Waiters see a failure; nobody waiting must not make it an unhandled rejection.
    done.catch(() => undefined);
    this.active.set(runId, { context, done });
    return { runId, warnings: [...costCheck.warnings, ...inputs.warnings] };
  }

  private async stop(runId: string): Promise<{ status: RunStatus }> {
    const active = this.active.get(runId);
    if (!active) return { status: this.inactiveStatus(runId) };
    active.context.stop('user', 'stopped by the user');
    const summary = await active.done;
    return { status: summary.status };
  }

  private delete(runId: string): MethodResult<'runs.delete'> {
    if (this.active.has(runId)) throw new RlmError('RUN_ACTIVE', `run ${runId} is running: stop the run before deleting it`);
    this.deleteRun(runId, ownerCheck({ now: Date.now(), staleMs: STALE_OWNER_MS }));
    this.bus.emit({ type: 'app.runsChanged', runId: null });
    return { deleted: true };
  }

  private control(runId: string, action: (run: RunContext) => void): { status: RunStatus } {
    const active = this.active.get(runId);
    if (!active) throw new RlmError('RUN_NOT_ACTIVE', `run ${runId} is ${this.inactiveStatus(runId)}, not running`);
    action(active.context);
    return { status: active.context.gate.isPaused ? 'paused' : 'running' };
  }

  private inactiveStatus(runId: string): RunStatus {
    const run = this.store.getRun(runId) ?? notFound(runId);
    // An active status here means another process runs it; this one cannot control it.
    if (ACTIVE_RUN_STATUSES.includes(run.status)) {
      throw new RlmError('RUN_NOT_ACTIVE', `run ${runId} is running in another process (pid of its owner is in the database)`);
    }
    return run.status;
  }
}

function notFound(runId: string): never {
  throw new RlmError('NOT_FOUND', `no run ${runId}`);
}

function uploadIdsOf(inputs: readonly RunInput[]): string[] {
  return inputs.flatMap((input) => (input.kind === 'upload' ? [input.uploadId] : []));
}

/** `<folder of the database>/uploads`; under the temp folder for a database in memory. */
function uploadsBeside(dbPath: string): string {
  return isInMemory(dbPath) ? join(tmpdir(), 'rlmscope-uploads') : join(dirname(resolve(dbPath)), 'uploads');
}

function isInMemory(dbPath: string): boolean {
  return dbPath === ':memory:' || dbPath === '';
}
